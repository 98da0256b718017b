"""Files attached to a case (photos, PDFs), checked by their bytes (common/uploads.py:
type, size and pixel caps, read in chunks, never trusting a name or a browser's content
type) and stored under their hash. The doors pass uploaded files as they come, unread;
tests and demo data pass ``Upload`` values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.cases.models import Attachment, Case
from gongzhi.cases.services.events import signed_in
from gongzhi.common.errors import FieldError
from gongzhi.common.uploads import PHOTO, CheckedUpload, uploads_check

MAX_ATTACHMENTS = 9


@dataclass
class Upload:
    """A file given as bytes (tests, demo data, imports)."""

    name: str
    content: bytes


def check_uploads(
    uploads: Sequence[Any], field: str = "attachments", *, photos_only: bool = False
) -> tuple[list[CheckedUpload], list[FieldError]]:
    """Every accepted file and one error per refused one."""
    checked, errors = uploads_check(uploads, field=field, max_count=MAX_ATTACHMENTS)
    if photos_only:
        errors += [
            FieldError(field, _("“%(name)s”须为图片文件") % {"name": u.name})
            for u in checked
            if u.kind != PHOTO
        ]
        checked = [u for u in checked if u.kind == PHOTO]
    return checked, errors


def store_uploads(
    case: Case, uploads: Sequence[CheckedUpload], *, purpose: str, actor: Any
) -> list[Attachment]:
    stored = []
    for up in uploads:
        att = Attachment(
            case=case,
            kind=up.kind,
            name=up.name[:200],
            content_type=up.content_type,
            size=up.size,
            sha256=up.sha256,
            purpose=purpose,
            uploaded_by=signed_in(actor),
        )
        att.file.save(up.filename, up.as_file(), save=False)
        att.save()
        stored.append(att)
    return stored

"""Files attached to a case (photos, PDFs): checked by their bytes, stored under their
hash. The doors turn uploaded files into ``Upload`` values; nothing here trusts a file
name or a browser's content type."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile

from gongzhi.cases.models import Attachment, Case
from gongzhi.cases.services.events import signed_in
from gongzhi.common.errors import FieldError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 9


@dataclass
class Upload:
    name: str
    content: bytes


def uploads_from(files: Sequence[Any]) -> list[Upload]:
    """Uploaded files (Django's or ninja's) as Upload values."""
    return [Upload(name=f.name or "file", content=f.read()) for f in files]


def sniff(content: bytes) -> tuple[str, str] | None:
    """(kind, content type) by the file's bytes, not its name."""
    if content.startswith(b"%PDF-"):
        return Attachment.Kind.PDF, "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return Attachment.Kind.PHOTO, "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return Attachment.Kind.PHOTO, "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return Attachment.Kind.PHOTO, "image/webp"
    return None


def check_uploads(
    uploads: Sequence[Upload], field: str = "attachments", *, photos_only: bool = False
) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(uploads) > MAX_ATTACHMENTS:
        errors.append(FieldError(field, f"附件最多 {MAX_ATTACHMENTS} 个"))
    for up in uploads:
        if len(up.content) > MAX_UPLOAD_BYTES:
            errors.append(
                FieldError(field, f"“{up.name}”超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
            )
            continue
        sniffed = sniff(up.content)
        if sniffed is None:
            errors.append(FieldError(field, f"“{up.name}”不是图片（JPEG/PNG/WebP）或 PDF 文件"))
            continue
        if photos_only and sniffed[0] != Attachment.Kind.PHOTO:
            errors.append(FieldError(field, f"“{up.name}”须为图片文件"))
            continue
        if sniffed[0] == Attachment.Kind.PHOTO:
            try:
                from PIL import Image

                with Image.open(BytesIO(up.content)) as img:
                    img.verify()
            except Exception:
                errors.append(FieldError(field, f"“{up.name}”图片已损坏，无法打开"))
    return errors


def store_uploads(
    case: Case, uploads: Sequence[Upload], *, purpose: str, actor: Any
) -> list[Attachment]:
    stored = []
    user = signed_in(actor)
    for up in uploads:
        kind, ctype = sniff(up.content) or ("", "")
        att = Attachment(
            case=case,
            kind=kind,
            name=up.name[:200],
            content_type=ctype,
            size=len(up.content),
            sha256=hashlib.sha256(up.content).hexdigest(),
            purpose=purpose,
            uploaded_by=user,
        )
        ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(ctype, "webp")
        att.file.save(f"{att.sha256[:16]}.{ext}", ContentFile(up.content), save=False)
        att.save()
        stored.append(att)
    return stored

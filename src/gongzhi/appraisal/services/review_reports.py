"""述职 reports of the subjects of a democratic appraisal (002 (四)第二条): the street
attaches each party's report (a PDF or a photo of the paper) before or during the
scoring; raters read it on their sheet."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.appraisal import review_access as ra
from gongzhi.appraisal.models import ReviewReport, ReviewSubject
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.common.uploads import UploadRefused, upload_check

MAX_REPORTS = 5  # per subject


@transaction.atomic
def review_report_attach(*, subject: ReviewSubject, upload: Any, actor: Any) -> ReviewReport:
    """Check the file by its bytes (PDF, JPEG, PNG, WebP; the upload cap) and attach it."""
    campaign = subject.campaign
    ra.require(actor, "report_attach", campaign)
    try:
        checked = upload_check(upload, field="file")
    except UploadRefused as exc:
        raise InvalidInput(errors=[exc.error]) from exc
    locked = ReviewSubject.objects.select_for_update().get(pk=subject.pk)
    if locked.report_files.count() >= MAX_REPORTS:
        message = _("每个评议对象最多 %(n)s 个附件") % {"n": MAX_REPORTS}
        raise InvalidInput(errors=[FieldError("file", message)])
    report = ReviewReport(
        subject=locked,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    report.file.save(checked.filename, checked.as_file(), save=False)
    report.save()
    audit_record(
        actor=actor,
        action="review.report_attach",
        target=report,
        extra={"campaign": campaign.pk, "subject": subject.pk, "sha256": checked.sha256},
    )
    return report

"""Pages of the long exports: the export door (small exports are answered at once by
the cases app's own export, larger ones become a job), the job page with its progress
bar (htmx polls the bar until the job ends), the download, the cancel, and the list of
the account's jobs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases.exports import XLSX_TYPE
from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.stats import access, services
from gongzhi.stats.models import Job

DIRECT: dict[str, str] = {"ledger": "cases:ledger_export", "metrics": "cases:metrics_export"}
BACK: dict[str, str] = {"ledger": "cases:ledger", "metrics": "cases:metrics"}


def _job(request: HttpRequest, pk: int) -> Job:
    job = access.readable_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("任务不存在"))
    return job


@login_required
def export_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Job.Kind.values or not access.may_export(request.user):
        raise Http404(_("没有可导出的数据"))
    source = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {
        "kind": kind,
        "label": Job.Kind(kind).label,
        "back": reverse(BACK[kind]),
    }
    try:
        if request.method == "POST":
            job = services.job_start(owner=request.user, kind=kind, params=source)
            return redirect("stats:job", pk=job.pk)
        params = services.job_params(kind, source)
    except InvalidInput as exc:
        context["errors"] = [e.as_dict() for e in exc.errors]
        return render(request, "stats/export.html", context, status=422)
    size = services.export_size(owner=request.user, kind=kind, params=params)
    if size <= services.job_threshold():
        return redirect(f"{reverse(DIRECT[kind])}?{urlencode(params)}")
    context.update(size=size, params=params, threshold=services.job_threshold())
    return render(request, "stats/export.html", context)


@login_required
def jobs_page(request: HttpRequest) -> HttpResponse:
    jobs = access.readable_jobs(request.user).order_by("-created_at", "-id")[:50]
    return render(request, "stats/jobs.html", {"jobs": jobs})


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "stats/job.html", {"job": _job(request, pk)})


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx swaps in; it stops polling once the job has ended."""
    return render(request, "stats/_job_progress.html", {"job": _job(request, pk)})


@login_required
@require_POST
def job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.job_cancel(job=job, actor=request.user)
    except DomainError as exc:
        return render(
            request, "stats/job.html", {"job": job, "message": exc.message}, status=exc.status
        )
    return redirect("stats:job", pk=job.pk)


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if not job.file:  # an export's sheet once done; an import's error report
        raise Http404(_("文件尚未生成"))
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=XLSX_TYPE
    )

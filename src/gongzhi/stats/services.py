"""Every write of stats: starting, running and cancelling a long export (Job).

A job is started by its owner with the same parameters as the page it comes from
(the ledger's filters, the metrics' period), validated the same way; a Celery worker
runs it after the commit, writing the sheet row by row into a temporary file
(openpyxl write-only: memory stays flat) and recording its progress every few hundred
rows. The progress update is conditional on the job still running, so a cancel stops
the worker at its next step."""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import selectors as case_selectors
from gongzhi.cases.exports import (
    MAX_EXPORT_ROWS,
    ReporterVisibility,
    export_job_rows,
    ledger_rows,
    ledger_xlsx,
    metrics_xlsx,
)
from gongzhi.cases.reports import export_title, metric_rows, period_from
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, NotFound
from gongzhi.org.permissions import scope_for
from gongzhi.stats import access
from gongzhi.stats.models import Job

log = logging.getLogger(__name__)
State = Job.JobState
LEDGER_PARAMS = (
    "estate",
    "unit",
    "matter",
    "state",
    "channel",
    "date_from",
    "date_to",
    "overdue",
    "q",
    "street",
    "metric",
    "open",
)
METRICS_PARAMS = ("preset", "start", "end", "all")


def job_threshold() -> int:
    """Exports of more rows than this run as jobs (GONGZHI_EXPORT_JOB_ROWS)."""
    return export_job_rows()


class JobCancelled(Exception):
    """The job was cancelled while it ran."""


def job_params(kind: str, params: Any) -> dict[str, str]:
    """The parameters of ``kind`` that the job keeps, validated as the page does."""
    names = LEDGER_PARAMS if kind == Job.Kind.LEDGER else METRICS_PARAMS
    kept = {n: str(params.get(n, "")).strip() for n in names if str(params.get(n, "")).strip()}
    if kind == Job.Kind.LEDGER:
        errors = case_selectors.LedgerFilter.from_params(kept).errors
    else:
        errors = period_from(kept, timezone.localdate()).errors
    if errors:
        raise InvalidInput(errors=[FieldError(k, v) for k, v in errors.items()])
    return kept


def export_size(*, owner: Any, kind: str, params: dict[str, str]) -> int:
    """How many rows the export would have (before the MAX_EXPORT_ROWS cap)."""
    if kind == Job.Kind.LEDGER:
        f = case_selectors.LedgerFilter.from_params(params)
        return case_selectors.ledger(owner, f).count()
    period = period_from(params, timezone.localdate())
    return len(metric_rows(scope_for(owner), period, params.get("all") in ("1", "on", "true")))


def job_start(*, owner: Any, kind: str, params: Any) -> Job:
    """Queue an export for ``owner``; the worker starts once this commits."""
    if kind not in Job.Kind.values:
        raise InvalidInput(errors=[FieldError("kind", _("未知的任务类别"))])
    if not access.may_export(owner):
        raise NotFound(_("没有可导出的数据"))
    kept = job_params(kind, params)
    with transaction.atomic():
        job = Job.objects.create(owner=owner, kind=kind, params=kept)
        audit_record(actor=owner, action="job_start", target=job, extra={"params": kept})
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    # The project's Celery app (its broker, or eager without one) must be the current
    # app when a web process sends the task.
    from gongzhi.config.celery import app  # noqa: F401
    from gongzhi.stats.tasks import run_job

    run_job.delay(job_id)


def job_cancel(*, job: Job, actor: Any) -> Job:
    if not access.can_read_job(actor, job):
        raise NotFound(_("任务不存在"))
    with transaction.atomic():
        now = timezone.now()
        changed = Job.objects.filter(pk=job.pk, state__in=(State.QUEUED, State.RUNNING)).update(
            state=State.CANCELLED, finished_at=now
        )
        if not changed:
            raise DomainError(_("任务已结束，不能取消"), code="not_now")
        audit_record(actor=actor, action="job_cancel", target=job, from_state=job.state)
    job.refresh_from_db()
    return job


def _progress(job_id: int, base: int = 0) -> Any:
    def report(done: int) -> None:
        if not Job.objects.filter(pk=job_id, state=State.RUNNING).update(progress=base + done):
            raise JobCancelled

    return report


def _write(job: Job, out: Any) -> str:
    """Write the job's sheet into ``out``; return the file name."""
    owner = job.owner
    scope = scope_for(owner)
    now = timezone.now()
    local = timezone.localtime(now)
    report = _progress(job.pk)
    if job.kind == Job.Kind.LEDGER:
        f = case_selectors.LedgerFilter.from_params(job.params)
        vis = ReporterVisibility.for_user(owner)
        qs = vis.prepare(case_selectors.ledger(owner, f, now=now))
        total = qs.count()
        Job.objects.filter(pk=job.pk).update(total=min(total, MAX_EXPORT_ROWS))
        note = ""
        if total > MAX_EXPORT_ROWS:
            note = _(
                "共 %(total)s 条，仅导出前 %(MAX_EXPORT_ROWS)s 条，请缩小筛选范围后分批导出"
            ) % {"total": total, "MAX_EXPORT_ROWS": MAX_EXPORT_ROWS}
        rows = ledger_rows(qs[:MAX_EXPORT_ROWS], vis, now)
        title = export_title(scope, _("物业管理诉求台账"))
        ledger_xlsx(rows, title=title, now=now, note=note, out=out, progress=report)
        return f"ledger-{local:%Y%m%d-%H%M}.xlsx"
    period = period_from(job.params, timezone.localdate())
    units = metric_rows(scope, period, job.params.get("all") in ("1", "on", "true"))
    Job.objects.filter(pk=job.pk).update(total=len(units))
    metrics_xlsx(
        units,
        title=export_title(scope, _("成员单位办理指标")),
        period=(period.start, period.end),
        now=now,
        out=out,
        progress=report,
    )
    return f"metrics-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"


def job_run(*, job_id: int, on_progress: Any = None) -> Job | None:
    """Run a queued job (the Celery task): claim it, write its file, record the end."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, started_at=now
    ):
        return None  # cancelled before it started, or already taken
    job = Job.objects.select_related("owner").get(pk=job_id)
    try:
        if job.kind == Job.Kind.IMPORT:
            from gongzhi.stats.imports.run import import_execute

            import_execute(job, on_progress=on_progress)
            return Job.objects.get(pk=job_id)
        with tempfile.TemporaryFile() as out:
            name = _write(job, out)
            out.seek(0)
            with transaction.atomic():
                job.file.save(name, File(out), save=False)
                done = Job.objects.filter(pk=job_id, state=State.RUNNING).update(
                    state=State.DONE,
                    file=job.file.name,
                    filename=name,
                    progress=Job.objects.get(pk=job_id).total,
                    finished_at=timezone.now(),
                )
                if not done:
                    raise JobCancelled
                audit_record(actor=None, action="job_done", target=job, to_state=State.DONE)
    except JobCancelled:
        if job.file.name:
            job.file.storage.delete(job.file.name)
    except Exception as exc:  # the job records the failure for its owner
        log.exception("stats job %s failed", job_id)
        with transaction.atomic():
            Job.objects.filter(pk=job_id, state=State.RUNNING).update(
                state=State.FAILED,
                error=(
                    _("导入失败：%(error)s")
                    if job.kind == Job.Kind.IMPORT
                    else _("导出失败：%(error)s")
                )
                % {"error": type(exc).__name__},
                finished_at=timezone.now(),
            )
            audit_record(actor=None, action="job_failed", target=job, to_state=State.FAILED)
    return Job.objects.get(pk=job_id)

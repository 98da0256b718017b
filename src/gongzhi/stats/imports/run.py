"""Starting and running a ledger import as a stats job.

Two modes (docs/stats.md, "5. Ledger imports"):

- all or nothing (the default): every row is read and checked, and written in ONE
  transaction; after the first invalid row nothing more is written, the rest is still
  checked so that the report lists every error, and the transaction is rolled back.
  The progress (and a cancel) is read through a second database connection on
  PostgreSQL, since the job row's updates inside the import's transaction would be seen
  by nobody until it ends.
- valid rows only: invalid rows are listed and skipped; the valid ones are written a
  batch per transaction. A cancel stops after the current batch: the batches already
  written stay (a re-import skips them).

Rows whose original ledger number was imported into the county before are skipped
(counted, not errors): re-importing a file changes nothing."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from typing import IO, Any

from django.core.files import File
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongzhi.cases.models import Case
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput, NotFound
from gongzhi.org.models import Jurisdiction
from gongzhi.stats import rollup
from gongzhi.stats.bulk import Numbers
from gongzhi.stats.imports.ahead import CheckedRows
from gongzhi.stats.imports.reader import FileUnreadable, Sheet, open_sheet
from gongzhi.stats.imports.rows import Lookup, Parsed, RowError
from gongzhi.stats.imports.writer import write_batch
from gongzhi.stats.models import Job

log = logging.getLogger(__name__)
State = Job.JobState
BATCH = 2000
ERRORS_KEPT = 200  # in the job's result (the page, the API); the report has them all
REPORT_ROWS = 100_000
SIDE = "gongzhi_progress"


class Cancelled(Exception):
    pass


class _Rollback(Exception):
    pass


def _side_alias() -> str:
    """A second connection to the same database, in autocommit (PostgreSQL only)."""
    if SIDE not in connections.settings:
        connections.settings[SIDE] = {**connections.settings["default"]}
    return SIDE


class _Report:
    """Every error, into a write-only sheet (row, column, header, reason)."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[dict[str, Any]] = []
        self.wb: Workbook | None = None
        self.ws: Any = None

    def add(self, errors: list[RowError]) -> None:
        for e in errors:
            self.count += 1
            d = e.as_dict()
            if len(self.kept) < ERRORS_KEPT:
                self.kept.append(d)
            if self.wb is None:  # made at the first error (none for a clean file)
                self.wb = Workbook(write_only=True)
                self.ws = self.wb.create_sheet(_("错误"))
                self.ws.append([_("行"), _("列"), _("列名"), _("原因"), _("说明")])
            if self.count <= REPORT_ROWS:
                self.ws.append([d["row"], d["column"], d["header"], d["message"], d["text"]])

    def discard(self) -> None:
        """Drop an unsaved sheet's temporary file (a cancelled import)."""
        if self.ws is not None:
            path = getattr(getattr(self.ws, "_writer", None), "out", None)
            self.ws.close()
            if isinstance(path, str) and os.path.exists(path):
                os.remove(path)
            self.wb = self.ws = None

    def save(self, out: IO[bytes]) -> None:
        if self.wb is not None:
            self.wb.save(out)


class _Import:
    """One run: the rows read, the batch being built, the counts."""

    def __init__(self, job: Job, sheet: Sheet, ledger: Jurisdiction) -> None:
        self.job = job
        self.sheet = sheet
        self.ledger = ledger
        self.lookup = Lookup.load(ledger)
        self.numbers = Numbers(ledger.pk, ledger.code)
        self.now = timezone.now()
        self.report = _Report()
        self.seen: dict[str, int] = {}
        self.batch: list[Parsed] = []
        self.read = self.imported = self.skipped = self.events = 0
        self.valid_only = bool(job.params.get("valid_only"))
        self.alias = "default"
        self.on_progress: Any = None
        self.checked: CheckedRows | None = None

    def close(self) -> None:
        """Stop reading ahead (the end, a cancel or an error)."""
        if self.checked is not None:
            self.checked.close()

    def progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.read, self.sheet.total)
        updated = Job.objects.using(self.alias).filter(pk=self.job.pk, state=State.RUNNING)
        if not updated.update(progress=self.read):
            raise Cancelled

    def rows(self) -> Any:
        self.checked = CheckedRows(self.sheet.rows, self.sheet, self.lookup, self.now)
        for number, parsed, errors in self.checked:
            self.read += 1
            if parsed is not None and parsed.number in self.seen:
                col = next(i for i, k in self.sheet.columns.items() if k == "number")
                errors = [
                    RowError(
                        number,
                        col,
                        self.sheet.headers[col],
                        _("原台账编号与第 %(row)s 行重复") % {"row": self.seen[parsed.number]},
                    )
                ]
                parsed = None
            if parsed is not None:
                self.seen[parsed.number] = number
            self.report.add(errors)
            yield parsed
            if self.read % BATCH == 0:
                self.progress()

    def flush(self) -> None:
        """Write the batch (skipping numbers already imported), count its events in the
        rollup if the cursor has passed them."""
        batch, self.batch = self.batch, []
        if not batch:
            return
        done = imported_before(self.ledger.pk, [p.number for p in batch])
        fresh = [p for p in batch if p.number not in done]
        self.skipped += len(batch) - len(fresh)
        if fresh:
            ids = write_batch(fresh, self.numbers, self.now, self.lookup.tz)
            rollup.absorb(ids)
            self.imported += len(fresh)
            self.events += len(ids)

    def all_or_nothing(self) -> None:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.alias = _side_alias()
        try:
            with transaction.atomic():
                for parsed in self.rows():
                    if self.report.count:
                        continue  # keep checking, stop writing
                    if parsed is not None:
                        self.batch.append(parsed)
                        if len(self.batch) >= BATCH:
                            self.flush()
                if self.report.count:
                    raise _Rollback
                self.flush()
        except _Rollback:
            self.imported = self.events = self.skipped = 0
        finally:
            if self.alias != "default":
                connections[self.alias].close()
            self.alias = "default"

    def valid_rows(self) -> None:
        for parsed in self.rows():
            if parsed is not None:
                self.batch.append(parsed)
            if len(self.batch) >= BATCH:
                with transaction.atomic():
                    self.flush()
        with transaction.atomic():
            self.flush()

    def result(self, seconds: float) -> dict[str, Any]:
        return {
            "mode": "valid_only" if self.valid_only else "all",
            "rows": self.read,
            "imported": self.imported,
            "skipped": self.skipped,
            "errors": self.report.count,
            "events": self.events,
            "error_list": self.report.kept,
            "seconds": round(seconds, 2),
        }


def imported_before(ledger_id: int, numbers: list[str]) -> set[str]:
    """The original numbers among ``numbers`` already in the county's ledger. On
    PostgreSQL one probe of the unique index (jurisdiction, original number) per number:
    a plain ``IN`` let the planner, whose statistics do not count the rows this import's
    transaction has written, read every case of the county instead, once per batch, so
    that a large import slowed down as it went (263 ms a batch at 180,000 cases)."""
    if connection.vendor != "postgresql":
        return set(
            Case.objects.filter(jurisdiction_id=ledger_id, original_number__in=numbers).values_list(
                "original_number", flat=True
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v FROM unnest(%s::text[]) AS v, LATERAL (SELECT 1 FROM {Case._meta.db_table}"
            " c WHERE c.jurisdiction_id = %s AND c.original_number = v"
            " AND c.original_number <> '' LIMIT 1) AS found",
            [numbers, ledger_id],
        )
        return {row[0] for row in cursor.fetchall()}


def import_execute(job: Job, on_progress: Any = None) -> None:
    """Run a claimed (RUNNING) import job to its end state."""
    started = time.monotonic()
    ledger = Jurisdiction.objects.get(code=job.params["jurisdiction"])
    try:
        with job.upload.open("rb") as raw:
            sheet = open_sheet(raw, job.params.get("filename", job.upload.name))
            Job.objects.filter(pk=job.pk).update(total=sheet.total)
            run = _Import(job, sheet, ledger)
            run.on_progress = on_progress
            try:
                run.valid_rows() if run.valid_only else run.all_or_nothing()
            except Cancelled:
                run.close()
                run.report.discard()
                result = run.result(time.monotonic() - started)
                Job.objects.filter(pk=job.pk).update(result=result)
                return
            finally:
                run.close()  # before the file closes: the thread reads it
    except FileUnreadable as exc:
        Job.objects.filter(pk=job.pk, state=State.RUNNING).update(
            state=State.FAILED, error=exc.message, finished_at=timezone.now()
        )
        return
    _finish(job, run, time.monotonic() - started)


def _finish(job: Job, run: _Import, seconds: float) -> None:
    result = run.result(seconds)
    failed = run.report.count and not run.valid_only
    error = ""
    if failed:
        error = _("有 %(n)s 处错误，未导入任何数据；请改正后重新导入，或选择“只导入无误的行”") % {
            "n": run.report.count
        }
    with tempfile.TemporaryFile() as out, transaction.atomic():
        fields: dict[str, Any] = {
            "state": State.FAILED if failed else State.DONE,
            "progress": run.read,
            "total": run.read,
            "result": result,
            "error": error,
            "finished_at": timezone.now(),
        }
        if run.report.count:
            run.report.save(out)
            out.seek(0)
            name = f"import-errors-{job.pk}.xlsx"
            job.file.save(name, File(out), save=False)
            fields.update(file=job.file.name, filename=name)
        Job.objects.filter(pk=job.pk, state=State.RUNNING).update(**fields)
        audit_record(
            actor=None,
            action="import_done",
            target=job,
            to_state=str(fields["state"]),
            extra={k: v for k, v in result.items() if k != "error_list"},
        )


MAX_UPLOAD = 200 * 1024 * 1024


def import_start(
    *,
    owner: Any,
    jurisdiction: str,
    filename: str,
    content: IO[bytes],
    valid_only: bool = False,
    enqueue: bool = True,
) -> Job:
    """Queue an import of ``content`` into the ledger of ``jurisdiction`` for ``owner``
    (its office); the worker starts once this commits."""
    from gongzhi.stats import access
    from gongzhi.stats.services import _enqueue

    # Without an owner: the command line, run by whoever administers the server.
    if owner is None:
        ledger = Jurisdiction.objects.filter(code=jurisdiction).first()
    else:
        ledger = access.import_ledger(owner, jurisdiction)
    if ledger is None:
        raise NotFound(_("没有可导入的辖区“%(code)s”") % {"code": jurisdiction})
    name = filename.rsplit("/", 1)[-1]
    if not name.lower().endswith((".xlsx", ".csv")):
        raise InvalidInput(errors=[FieldError("file", _("只能导入 .xlsx 或 .csv 文件"))])
    params = {"jurisdiction": ledger.code, "filename": name, "valid_only": bool(valid_only)}
    with transaction.atomic():
        job = Job(owner=owner, kind=Job.Kind.IMPORT, params=params)
        job.upload.save(name, File(content), save=False)
        job.save()
        audit_record(actor=owner, action="import_start", target=job, extra=params)
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job

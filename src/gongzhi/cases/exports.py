"""The ledger (台账) as rows, shared by the ledger page and its Excel export, and the
Excel files of the ledger and of the unit metrics.

Reporter data are masked row by row without a query per row: ``ReporterVisibility``
loads with each case the account's own open tasks on it, and asks ``access.Viewer``
(the one rule) with them."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from gongzhi.cases import access
from gongzhi.cases.models import Case, CaseTask, Channel, Rating, State
from gongzhi.cases.selectors import UnitMetrics

MAX_EXPORT_ROWS = 50_000


def export_job_rows() -> int:
    """Exports of more rows than this run as background jobs (stats app), not in the
    request: GONGZHI_EXPORT_JOB_ROWS."""
    return int(getattr(settings, "GONGZHI_EXPORT_JOB_ROWS", 2000))


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)
OPEN_TASK_STATES = (CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN)

# (key, header, Excel column width): the columns of the county office's ledger.
LEDGER_COLUMNS: list[tuple[str, StrOrPromise, int]] = [
    ("number", gettext_lazy("台账编号"), 18),
    ("created_at", gettext_lazy("登记时间"), 17),
    ("channel", gettext_lazy("来源渠道"), 12),
    ("estate", gettext_lazy("小区"), 16),
    ("place", gettext_lazy("位置"), 18),
    ("reporter_name", gettext_lazy("诉求人"), 9),
    ("reporter_phone", gettext_lazy("联系电话"), 14),
    ("matter", gettext_lazy("事项"), 18),
    ("summary", gettext_lazy("诉求内容(摘要)"), 40),
    ("lead_unit", gettext_lazy("责任单位"), 20),
    ("level", gettext_lazy("办理层级"), 12),
    ("state", gettext_lazy("状态"), 9),
    ("accept_due_at", gettext_lazy("签收时限"), 17),
    ("resolve_due_at", gettext_lazy("办结时限"), 17),
    ("overdue", gettext_lazy("是否超时"), 9),
    ("handled_at", gettext_lazy("办结时间"), 17),
    ("result", gettext_lazy("办理结果"), 36),
    ("rating", gettext_lazy("评价"), 10),
]
LEDGER_RELATED = ("estate", "matter", "lead_unit", "level", "jurisdiction")
LEDGER_FIELDS = (
    *LEDGER_RELATED,
    "number",
    "created_at",
    "channel",
    "building",
    "unit_no",
    "room",
    "location",
    "reporter_name",
    "reporter_phone",
    "reporter_user",
    "registered_by",
    "area_path",
    "title",
    "description",
    "state",
    "accept_due_at",
    "resolve_due_at",
    "breached_at",
    "handled_at",
    "result",
    "rating",
    "estate__name",
    "matter__name",
    "lead_unit__name",
    "level__name",
    "level__path",
    "jurisdiction__path",
)
DATE_KEYS = {"created_at", "accept_due_at", "resolve_due_at", "handled_at"}
SUMMARY_CHARS = 80

CHANNEL_LABELS = dict(Channel.choices)
STATE_LABELS = dict(State.choices)
RATING_LABELS = dict(Rating.choices)


@dataclass(frozen=True)
class ReporterVisibility:
    """The account's Viewer, and the loading that lets it decide a row without a query."""

    viewer: access.Viewer

    @classmethod
    def for_user(cls, user: Any) -> ReporterVisibility:
        return cls(viewer=access.viewer(user))

    def prepare(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        """Load what a ledger row and ``sees`` read, and nothing else (a large export
        spends most of its database time building objects): the row's columns and the
        account's own open tasks on each case (one extra query per page or chunk, none
        per row)."""
        qs = qs.select_related(*LEDGER_RELATED).only(*LEDGER_FIELDS)
        units = self.viewer.handling_unit_ids
        if units:
            mine = CaseTask.objects.filter(
                unit_id__in=sorted(units), state__in=OPEN_TASK_STATES
            ).only("id", "case_id", "unit_id")
            qs = qs.prefetch_related(Prefetch("tasks", queryset=mine, to_attr="my_open_tasks"))
        return qs

    def sees(self, case: Case) -> bool:
        mine = getattr(case, "my_open_tasks", None)
        return self.viewer.sees_reporter(
            case, open_task_unit_ids=[t.unit_id for t in mine] if mine is not None else []
        )


def is_overdue(case: Case, now: dt.datetime) -> bool:
    """The same rule as ``selectors.overdue_q``, on a loaded row."""
    if case.breached_at is not None:
        return True
    if case.state in RUNNING and case.resolve_due_at and case.resolve_due_at < now:
        return True
    return bool(case.state == State.DISPATCHED and case.accept_due_at and case.accept_due_at < now)


def _summary(t: access.CaseText) -> str:
    text = " ".join(t.description.split())
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS] + "…"
    return f"{t.title}：{text}" if text and text != t.title else t.title


def ledger_row(case: Case, vis: ReporterVisibility, now: dt.datetime) -> dict[str, Any]:
    """One ledger row; datetimes stay aware (the page and the sheet localise them)."""
    t = access.case_text(case, vis.sees(case))
    return {
        "case": case,
        "number": case.number,
        "created_at": case.created_at,
        "channel": str(CHANNEL_LABELS.get(case.channel, case.channel)),
        "estate": case.estate.name,
        "place": t.place,
        "reporter_name": t.reporter_name,
        "reporter_phone": t.reporter_phone,
        "reporter_visible": t.visible,
        "matter": case.matter.name if case.matter else "",
        "title": t.title,
        "description": t.description,
        "summary": _summary(t),
        "lead_unit": case.lead_unit.name if case.lead_unit else "",
        "level": case.level.name,
        "state": str(STATE_LABELS.get(case.state, case.state)),
        "state_code": case.state,
        "accept_due_at": case.accept_due_at,
        "resolve_due_at": case.resolve_due_at,
        "overdue": is_overdue(case, now),
        "handled_at": case.handled_at,
        "result": t.result,
        "rating": str(RATING_LABELS.get(case.rating, "")) if case.rating else "",
    }


def ledger_rows(
    qs: QuerySet[Case], vis: ReporterVisibility, now: dt.datetime, *, chunk: int = 2000
) -> Iterator[dict[str, Any]]:
    """Rows of an already filtered and prepared queryset, loaded in chunks (prefetches
    run once per chunk)."""
    for case in qs.iterator(chunk_size=chunk):
        yield ledger_row(case, vis, now)


# --- Excel ----------------------------------------------------------------------------------


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: write Asia/Shanghai wall-clock time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None)


class _Sheet:
    """One sheet of a new workbook with a title row, a bold frozen header and column
    widths, written row by row. XlsxWriter's constant-memory mode flushes each row to a
    temporary file as it is written, so memory stays flat however many rows (it writes a
    cell in about a third of openpyxl's write-only time: issue 12's 50,000-row export).
    ``close`` writes the workbook into ``out``, or returns its bytes."""

    def __init__(
        self,
        out: IO[bytes] | None,
        title: str,
        heading: str,
        columns: list[tuple[StrOrPromise, int]],
    ):
        self.out = out
        self.buf = io.BytesIO() if out is None else None
        # Constant-memory mode keeps the rows in a named temporary file until the workbook
        # is closed; it lives in a directory of this sheet's own, removed on close and on
        # discard (XlsxWriter removes it only on close).
        self.tmpdir = tempfile.mkdtemp(prefix="gongzhi-xlsx-")
        self.wb = xlsxwriter.Workbook(
            out if out is not None else self.buf,
            {
                "constant_memory": True,
                "tmpdir": self.tmpdir,
                # Excel has no time zones: datetimes arrive as Asia/Shanghai wall time.
                "default_date_format": "yyyy-mm-dd hh:mm:ss",
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.ws = self.wb.add_worksheet(str(title))
        for i, (_header, width) in enumerate(columns):
            self.ws.set_column(i, i, width)
        # The title row sits above the header; freeze both.
        self.ws.freeze_panes(2, 0)
        self.ws.write_string(0, 0, heading, self.wb.add_format({"bold": True, "font_size": 14}))
        header = self.wb.add_format({"bold": True, "valign": "vcenter", "text_wrap": True})
        for i, (name, _width) in enumerate(columns):
            self.ws.write_string(1, i, str(name), header)
        self.row = 2

    def append(self, values: list[Any]) -> None:
        self.ws.write_row(self.row, 0, values)
        self.row += 1

    def close(self) -> bytes:
        try:
            self.wb.close()
        finally:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        return self.buf.getvalue() if self.buf is not None else b""

    def discard(self) -> None:
        """Drop the rows written so far (an export stopped midway): the temporary file of
        constant-memory mode is closed and its directory removed."""
        fh = getattr(self.ws, "row_data_fh", None)
        if fh is not None:
            fh.close()
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.ws = None  # type: ignore[assignment]
        self.wb = None  # type: ignore[assignment]


def _heading(title: str, now: dt.datetime) -> str:
    return _("%(title)s（导出时间 %(time)s）") % {
        "title": title,
        "time": f"{timezone.localtime(now):%Y-%m-%d %H:%M}",
    }


Progress = Callable[[int], None]
PROGRESS_EVERY = 500


def ledger_xlsx(
    rows: Iterable[dict[str, Any]],
    *,
    title: str,
    now: dt.datetime,
    note: str = "",
    out: IO[bytes] | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The ledger sheet, streamed (``_Sheet``): memory stays flat however many rows;
    ``progress`` hears the count every PROGRESS_EVERY rows (and may raise to stop)."""
    sheet = _Sheet(
        out,
        _("台账"),
        _heading(title, now),
        [(header, width) for _k, header, width in LEDGER_COLUMNS],
    )
    try:
        for done, row in enumerate(rows, start=1):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
            values: list[Any] = []
            for key, _header, _width in LEDGER_COLUMNS:
                value = row[key]
                if key in DATE_KEYS:
                    value = _local(value)
                elif key == "overdue":
                    value = _("是") if value else _("否")
                values.append(value)
            sheet.append(values)
    except BaseException:
        sheet.discard()
        raise
    if note:
        sheet.append([note])
    return sheet.close()


METRIC_COLUMNS: list[tuple[str, StrOrPromise, int]] = [
    ("unit", gettext_lazy("单位"), 28),
    ("received", gettext_lazy("受理数"), 9),
    ("accepted_on_time", gettext_lazy("按时签收"), 10),
    ("response_rate", gettext_lazy("响应率(%)"), 10),
    ("handled", gettext_lazy("办结"), 8),
    ("resolve_rate", gettext_lazy("解决率(%)"), 10),
    ("rated", gettext_lazy("评价数"), 8),
    ("satisfied", gettext_lazy("满意/基本满意"), 13),
    ("satisfaction_rate", gettext_lazy("满意率(%)"), 10),
    ("overdue", gettext_lazy("超时"), 8),
    ("returned", gettext_lazy("退回"), 8),
    ("buck_passing", gettext_lazy("推诿扯皮"), 10),
    ("reopened", gettext_lazy("重办"), 8),
]


def metrics_xlsx(
    rows: Iterable[UnitMetrics],
    *,
    title: str,
    period: tuple[dt.date, dt.date],
    now: dt.datetime,
    out: IO[bytes] | None = None,
    progress: Progress | None = None,
) -> bytes:
    heading = _heading(
        _("%(title)s（%(start)s 至 %(end)s）")
        % {"title": title, "start": f"{period[0]:%Y-%m-%d}", "end": f"{period[1]:%Y-%m-%d}"},
        now,
    )
    sheet = _Sheet(out, _("单位指标"), heading, [(h, w) for _k, h, w in METRIC_COLUMNS])
    try:
        for done, m in enumerate(rows, start=1):
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
            values: list[Any] = [m.unit.name]
            values += [getattr(m, key) for key, _h, _w in METRIC_COLUMNS[1:]]
            sheet.append(values)
    except BaseException:
        sheet.discard()
        raise
    return sheet.close()

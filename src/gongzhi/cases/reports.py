"""Pages of the reports: the ledger (台账) with its Excel export, the unit metrics with
their drill-down and export, and the printable 呈报表 (003 附件2)."""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases import access, selectors
from gongzhi.cases.display import case_for
from gongzhi.cases.exports import (
    LEDGER_COLUMNS,
    MAX_EXPORT_ROWS,
    XLSX_TYPE,
    ReporterVisibility,
    export_job_rows,
    ledger_row,
    ledger_rows,
    ledger_xlsx,
    metrics_xlsx,
)
from gongzhi.cases.ledger_choices import ledger_choices
from gongzhi.cases.models import Channel, SavedFilter, State
from gongzhi.org.models import Jurisdiction, Unit
from gongzhi.org.permissions import Scope, scope_for

PAGE_SIZE = 50


class CappedPaginator(Paginator):
    """A paginator over ``selectors.LedgerPages``: its count reads at most
    ``selectors.COUNT_CAP + 1`` rows (``capped`` tells the page to say "more than"), its
    pages stop at the cap, and a page's rows are read as ``LedgerPages.rows`` reads them."""

    def __init__(self, pages: selectors.LedgerPages, per_page: int) -> None:
        super().__init__(pages.qs, per_page)
        self.pages = pages

    @cached_property
    def count(self) -> int:
        return min(self.pages.found, selectors.COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.pages.capped

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        return Page(self.pages.rows(start, self.per_page), number, self)


def _case_url(number: str) -> str | None:
    """The case page, when the work pages provide one."""
    try:
        return reverse("cases:detail", args=[number])
    except NoReverseMatch:
        return None


def _job_door(kind: str, request: HttpRequest) -> HttpResponse | None:
    """An export too large for the request goes to the background-job door (the stats
    app), when it is installed."""
    try:
        url = reverse("stats:export", args=[kind])
    except NoReverseMatch:
        return None
    return redirect(f"{url}?{request.GET.urlencode()}")


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def export_title(scope: Scope, what: str) -> str:
    """The export's title, e.g. 嘉祥县物业管理诉求台账: named for the account's top office
    or reading area, or its unit."""
    paths = scope.office_paths + scope.convener_paths + scope.auditor_paths
    place = ""
    if paths:
        top = Jurisdiction.objects.filter(path=min(paths, key=len)).first()
        place = top.name if top else ""
    elif scope.unit_ids:
        unit = Unit.objects.filter(pk__in=scope.unit_ids).order_by("name").first()
        place = unit.name if unit else ""
    return f"{place}{what}"


# --- ledger -------------------------------------------------------------------------------


def _ledger_context(request: HttpRequest, scope: Scope, f: selectors.LedgerFilter) -> dict:
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return {
        "f": f,
        "errors": [{"field": k, "message": v} for k, v in f.errors.items()],
        "field_errors": f.errors,
        "choices": ledger_choices(
            request.user, scope, estate=f.estate, unit=f.unit, matter=f.matter
        ),
        "states": State.choices,
        "channels": Channel.choices,
        "query": urlencode(params),
        "columns": [header for _k, header, _w in LEDGER_COLUMNS],
        "metric_label": METRIC_LABELS.get(f.metric, ""),
        "saved": SavedFilter.objects.filter(user_id=request.user.pk or 0),
    }


# A ledger number is digits and dashes (services.ledger.next_number): nothing to quote in a
# path, so the case page's address is the one reversed address with the number put in.
_PLAIN_NUMBER = re.compile(r"[0-9A-Za-z-]+")
_SAMPLE_NUMBER = "000000-0000-000000"


def _case_urls() -> Callable[[str], str | None]:
    """The case page's address for each ledger number, reversed once per page."""
    sample = _case_url(_SAMPLE_NUMBER)
    if sample is None:
        return lambda number: None

    def url(number: str) -> str | None:
        if _PLAIN_NUMBER.fullmatch(number):
            return sample.replace(_SAMPLE_NUMBER, number)
        return _case_url(number)

    return url


# One row of the page's table. The rows are rendered here rather than by the template:
# profiling the ledger (issue 12; docs/performance.md, "The ledger page's Python time")
# found most of the page's time in the template resolving 18 variables and filters per
# row, and format_html's lazy-string checks cost more than the rest of a row. Every
# value is escaped as the template escaped it (django.utils.html.escape is html.escape).
_ROW = (
    "<tr{}>"
    '<td class="nowrap">{}</td><td class="nowrap">{}</td><td>{}</td><td>{}</td><td>{}</td>'
    '<td>{}</td><td class="nowrap">{}</td><td>{}</td><td class="wide" title="{}">{}</td>'
    '<td>{}</td><td>{}</td><td><span class="badge">{}</span></td><td class="nowrap">{}</td>'
    '<td class="nowrap">{}</td><td>{}</td><td class="nowrap">{}</td><td class="wide">{}</td>'
    "<td>{}</td></tr>"
)


def _when(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    """As the template's ``date:"Y-m-d H:i"`` showed it: in the current time zone."""
    return "" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _truncated(text: str, chars: int) -> str:
    """The template's ``truncatechars``; a short text (most of them) without asking
    Truncator, which returns such a text unchanged once NFC-normalised."""
    if len(text) <= chars and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(chars)


def _row_html(
    row: dict[str, Any], url: str | None, overdue: tuple[str, str], tz: dt.tzinfo
) -> SafeString:
    """One row; ``overdue`` is the cell's markup for an overdue row and for any other,
    ``tz`` the current time zone."""
    e = html.escape
    number = e(row["number"])
    # Every value below is escaped.
    return mark_safe(
        _ROW.format(
            ' class="overdue"' if row["overdue"] else "",
            f'<a href="{e(url)}">{number}</a>' if url else number,
            _when(row["created_at"], tz),
            e(row["channel"]),
            e(row["estate"]),
            e(row["place"]),
            e(row["reporter_name"]),
            e(row["reporter_phone"]),
            e(row["matter"]),
            e(_truncated(row["description"], 300)),
            e(row["summary"]),
            e(row["lead_unit"]),
            e(row["level"]),
            e(row["state"]),
            _when(row["accept_due_at"], tz),
            _when(row["resolve_due_at"], tz),
            overdue[0] if row["overdue"] else overdue[1],
            _when(row["handled_at"], tz),
            e(_truncated(row["result"], 60)),
            e(row["rating"]),
        )
    )


@login_required
def ledger_page(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    f = selectors.LedgerFilter.from_params(request.GET)
    context = _ledger_context(request, scope, f)
    if f.errors:
        return render(request, "cases/ledger.html", context, status=422)
    now = timezone.now()
    vis = ReporterVisibility.for_user(request.user)
    pages = selectors.ledger_pages(request.user, f, now=now)
    paginator = CappedPaginator(pages.prepared(vis.prepare), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    url = _case_urls()
    overdue = (f'<span class="badge bad">{html.escape(_("超时"))}</span>', html.escape(_("否")))
    tz = timezone.get_current_timezone()
    rows = [
        _row_html(ledger_row(case, vis, now), url(case.number), overdue, tz)
        for case in page.object_list
    ]
    context.update(page=page, rows=rows, total=paginator.count, capped=paginator.capped)
    return render(request, "cases/ledger.html", context)


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    f = selectors.LedgerFilter.from_params(request.GET)
    if f.errors:
        context = _ledger_context(request, scope, f)
        return render(request, "cases/ledger.html", context, status=422)
    now = timezone.now()
    vis = ReporterVisibility.for_user(request.user)
    qs = vis.prepare(selectors.ledger(request.user, f, now=now))
    total = qs.count()
    if total > export_job_rows() and (door := _job_door("ledger", request)) is not None:
        return door
    note = ""
    if total > MAX_EXPORT_ROWS:
        note = _("共 %(total)s 条，仅导出前 %(MAX_EXPORT_ROWS)s 条，请缩小筛选范围后分批导出") % {
            "total": total,
            "MAX_EXPORT_ROWS": MAX_EXPORT_ROWS,
        }
    rows = ledger_rows(qs[:MAX_EXPORT_ROWS], vis, now)
    data = ledger_xlsx(rows, title=export_title(scope, _("物业管理诉求台账")), now=now, note=note)
    local = timezone.localtime(now)
    return _xlsx_response(data, f"ledger-{local:%Y%m%d-%H%M}.xlsx")


# --- metrics ------------------------------------------------------------------------------

PRESETS = [
    ("month", gettext_lazy("本月")),
    ("last_month", gettext_lazy("上月")),
    ("quarter", gettext_lazy("本季度")),
    ("year", gettext_lazy("本年")),
    ("custom", gettext_lazy("自定义")),
]

METRIC_LABELS = {
    "received": gettext_lazy("受理数"),
    "accepted": gettext_lazy("签收"),
    "accepted_on_time": gettext_lazy("按时签收"),
    "handled": gettext_lazy("办结"),
    "rated": gettext_lazy("评价数"),
    "satisfied": gettext_lazy("满意/基本满意"),
    "overdue": gettext_lazy("超时"),
    "returned": gettext_lazy("退回"),
    "buck_passing": gettext_lazy("推诿扯皮"),
    "reopened": gettext_lazy("重办"),
}


@dataclass
class Period:
    preset: str
    start: dt.date  # first day
    end: dt.date  # last day, inclusive
    errors: dict[str, str]

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in local time."""
        tz = timezone.get_current_timezone()
        begin = dt.datetime.combine(self.start, dt.time(0), tzinfo=tz)
        finish = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        return begin, finish

    @property
    def query(self) -> str:
        return urlencode({"start": self.start.isoformat(), "end": self.end.isoformat()})


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def period_from(params: Any, today: dt.date) -> Period:
    """The period of a request: a preset (default 本月) or custom dates start..end."""
    preset = params.get("preset", "").strip()
    raw_start = params.get("start", "").strip()
    raw_end = params.get("end", "").strip()
    if not preset:
        preset = "custom" if (raw_start or raw_end) else "month"
    errors: dict[str, str] = {}
    start = _month_start(today)
    end = today
    if preset == "last_month":
        end = _month_start(today) - dt.timedelta(days=1)
        start = _month_start(end)
    elif preset == "quarter":
        start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    elif preset == "year":
        start = today.replace(month=1, day=1)
    elif preset == "custom":
        values: dict[str, dt.date] = {}
        for name, raw, label in (
            ("start", raw_start, _("开始日期")),
            ("end", raw_end, _("结束日期")),
        ):
            if not raw:
                errors[name] = _("请填写%(label)s") % {"label": label}
                continue
            try:
                values[name] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = _("日期格式应为 YYYY-MM-DD")
        start = values.get("start", start)
        end = values.get("end", end)
        if not errors and end < start:
            errors["end"] = _("结束日期不能早于开始日期")
        if not errors and (end - start).days > 366 * 3:
            errors["end"] = _("统计区间不能超过三年")
    elif preset != "month":
        errors["preset"] = _("未知的统计区间")
        preset = "month"
    return Period(preset=preset, start=start, end=end, errors=errors)


def _active(m: selectors.UnitMetrics) -> bool:
    return any(getattr(m, key) for key in METRIC_LABELS)


def metric_rows(scope: Scope, period: Period, show_all: bool) -> list[selectors.UnitMetrics]:
    start, end = period.bounds
    units = scope.visible_units().select_related("kind", "jurisdiction").order_by("name")
    rows = selectors.unit_metrics(units=units, start=start, end=end)
    if not show_all:
        rows = [m for m in rows if _active(m)]
    # The units with the most work first, then by name.
    return sorted(rows, key=lambda m: (-m.received, m.unit.name))


@login_required
def metrics_page(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    period = period_from(request.GET, timezone.localdate())
    show_all = request.GET.get("all", "") in ("1", "on", "true")
    context: dict[str, Any] = {
        "period": period,
        "presets": PRESETS,
        "show_all": show_all,
        "errors": [{"field": k, "message": v} for k, v in period.errors.items()],
        "field_errors": period.errors,
        "labels": METRIC_LABELS,
        "rows": None,
    }
    if period.errors:
        return render(request, "cases/metrics.html", context, status=422)
    context["rows"] = metric_rows(scope, period, show_all)
    context["export_query"] = urlencode(
        {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            **({"all": "1"} if show_all else {}),
        }
    )
    return render(request, "cases/metrics.html", context)


@login_required
def metrics_export(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    period = period_from(request.GET, timezone.localdate())
    if period.errors:
        context = {
            "period": period,
            "presets": PRESETS,
            "errors": [{"field": k, "message": v} for k, v in period.errors.items()],
            "field_errors": period.errors,
            "labels": METRIC_LABELS,
            "rows": None,
        }
        return render(request, "cases/metrics.html", context, status=422)
    show_all = request.GET.get("all", "") in ("1", "on", "true")
    rows = metric_rows(scope, period, show_all)
    if len(rows) > export_job_rows() and (door := _job_door("metrics", request)) is not None:
        return door
    now = timezone.now()
    data = metrics_xlsx(
        rows,
        title=export_title(scope, _("成员单位办理指标")),
        period=(period.start, period.end),
        now=now,
    )
    return _xlsx_response(data, f"metrics-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx")


@login_required
def metric_cases_page(request: HttpRequest, unit: str, metric: str) -> HttpResponse:
    scope = scope_for(request.user)
    if metric not in METRIC_LABELS or metric not in selectors.METRIC_DRILLDOWN:
        raise Http404(_("没有这项指标"))
    unit_obj = scope.visible_units().filter(code=unit).first()
    if unit_obj is None:
        raise Http404(_("单位不存在或无权查看"))
    period = period_from(request.GET, timezone.localdate())
    context: dict[str, Any] = {
        "unit": unit_obj,
        "metric": metric,
        "label": METRIC_LABELS[metric],
        "period": period,
        "errors": [{"field": k, "message": v} for k, v in period.errors.items()],
    }
    if period.errors:
        return render(request, "cases/metric_cases.html", context, status=422)
    start, end = period.bounds
    qs = selectors.metric_cases(unit=unit_obj, metric=metric, start=start, end=end).order_by(
        "-created_at", "-id"
    )
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context.update(
        page=page,
        total=paginator.count,
        rows=[
            (c, _case_url(c.number), access.text_for(request.user, c).title)
            for c in page.object_list
        ],
    )
    return render(request, "cases/metric_cases.html", context)


# --- 呈报表 ---------------------------------------------------------------------------------


@login_required
def report_form_pdf(request: HttpRequest, number: str) -> HttpResponse:
    from gongzhi.cases.pdf import report_form_pdf as render_pdf

    case = case_for(request.user, number)
    if case is None:
        raise Http404(_("案件不存在或无权查看"))
    if not hasattr(case, "report_form"):
        raise Http404(_("该案件没有呈报表"))
    response = HttpResponse(render_pdf(case, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.number}-chengbaobiao.pdf"'
    return response

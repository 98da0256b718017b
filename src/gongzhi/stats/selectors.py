"""What the dashboards show, read from the rollup (DailyFigures) within what the reader
may see (stats/access.py). Every point carries the ledger address listing the cases
behind it, filtered the same way (cases.selectors.LedgerFilter: metric, dates, unit,
street, estate, matter)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.cases.access import viewer
from gongzhi.cases.models import OPEN_STATES, Case
from gongzhi.cases.reports import Period, period_from
from gongzhi.cases.selectors import FIGURE_NAMES, Figures, overdue_q
from gongzhi.catalog.models import MatterType
from gongzhi.org.models import Estate, Jurisdiction, Unit
from gongzhi.stats import reading
from gongzhi.stats.access import FigureScope, area_roots, figure_scope
from gongzhi.stats.models import DailyFigures, RollupCursor
from gongzhi.stats.rollup import CURSOR

TOP = 30
RANK = 10
BREAKDOWNS = ("unit", "street", "estate", "matter")
TRENDS = ("week", "month")
RANKINGS = ("overdue", "buck_passing")
T = TypeVar("T")


@dataclass
class Board:
    """One dashboard's question: who asks, over which days, narrowed to what."""

    user: Any
    period: Period
    street: Jurisdiction | None = None
    unit: Unit | None = None
    estate: Estate | None = None
    matter: str = ""

    @classmethod
    def from_params(cls, user: Any, params: Any, **fixed: Any) -> tuple[Board, dict[str, str]]:
        """The period (default: this year) and the narrowing filters of a request;
        unknown codes are errors by the field."""
        dates = {k: str(params.get(k, "")) for k in ("preset", "start", "end")}
        if not any(dates.values()):
            dates["preset"] = "year"
        period = period_from(dates, timezone.localdate())
        errors = dict(period.errors)
        board = cls(user=user, period=period, **fixed)
        estate = str(params.get("estate", "")).strip()
        if estate:
            board.estate = Estate.objects.filter(code=estate).first()
            if board.estate is None:
                errors["estate"] = _("小区编码不存在")
        board.matter = str(params.get("matter", "")).strip()
        return board, errors

    # False: every chart computed afresh (the bench's cold figures).
    cache: bool = True
    # True: read the one-OR daily rows (the definition) instead of the plan
    # (stats/reading.py); for the tests and the bench's comparison.
    definition: bool = False
    # False: the plan without the monthly rows (the bench tells the two steps apart).
    by_month: bool = True

    @cached_property
    def scope(self) -> FigureScope:
        return figure_scope(self.user)

    def narrowing(self) -> Q:
        """The board's own filters, on columns of both rollup tables (the estate: of
        the daily rows only)."""
        q = Q()
        if self.street is not None:
            q &= Q(street_id=self.street.pk)
        if self.unit is not None:
            q &= Q(unit_id=self.unit.pk)
        if self.estate is not None:
            q &= Q(estate_id=self.estate.pk)
        if self.matter:
            q &= Q(matter=self.matter)
        return q

    def rows(self) -> QuerySet[DailyFigures]:
        """The daily rows behind the board: its definition (stats/reading.py reads the
        same rows by a faster plan)."""
        return DailyFigures.objects.filter(
            self.scope.q() & self.narrowing(),
            day__gte=self.period.start,
            day__lte=self.period.end,
        )

    def cache_key(self, chart: str) -> str:
        """The key of a chart's answer: the same for every account reading the same rows
        with the same filters, and a new one once the rollup changed (its stamp)."""
        parts = [
            chart,
            self.definition,
            self.by_month,
            rollup_state()[0],
            translation.get_language() or "",
            self.scope.signature,
            self.street.pk if self.street else "",
            self.unit.pk if self.unit else "",
            self.estate.pk if self.estate else "",
            self.matter,
            self.period.start.isoformat(),
            self.period.end.isoformat(),
        ]
        text = "|".join(str(p) for p in parts)
        return "stats:chart:" + hashlib.sha256(text.encode()).hexdigest()

    def ledger(self, metric: str = "received", **narrow: Any) -> str:
        """The ledger listing the cases behind a figure of this board."""
        start = narrow.pop("start", self.period.start)
        end = narrow.pop("end", self.period.end)
        params: dict[str, str] = {
            "metric": metric,
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
        }
        for name, value in (
            ("street", self.street.code if self.street else ""),
            ("unit", self.unit.code if self.unit else ""),
            ("estate", self.estate.code if self.estate else ""),
            ("matter", self.matter),
        ):
            value = narrow.get(name, value)
            if value:
                params[name] = value
        return f"{reverse('cases:ledger')}?{urlencode(params)}"


CACHE_SECONDS = 24 * 3600  # an answer lives until the rollup's stamp changes, or a day


def _figures(row: Any) -> Figures:
    return Figures(**{n: row.get(n) or 0 for n in FIGURE_NAMES})


def _point(figures: Figures, **more: Any) -> dict[str, Any]:
    return {
        **more,
        **asdict(figures),
        "response_rate": figures.response_rate,
        "resolve_rate": figures.resolve_rate,
        "satisfaction_rate": figures.satisfaction_rate,
    }


def rollup_state() -> tuple[str, dt.datetime | None]:
    """The rollup's stamp (changed by every write to its rows) and when the worker last
    caught up with the events."""
    row = RollupCursor.objects.filter(name=CURSOR).values_list("stamp", "updated_at").first()
    return row if row else ("", None)


def as_of() -> dt.datetime | None:
    """When the rollup last caught up with the events."""
    return rollup_state()[1]


def _cached(board: Board, chart: str, compute: Callable[[], T], seconds: int = CACHE_SECONDS) -> T:
    """A chart's answer, from the cache while the rollup is unchanged (its rows change
    only when the worker passes), else computed and kept."""
    if not board.cache:
        return compute()
    key = board.cache_key(chart)  # the stamp is read before the rows
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found  # type: ignore[no-any-return]


def summary(board: Board) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        total = reading.sums(board, None).get(None, {})
        return _point(_figures(total), ledger=board.ledger())

    return {**_cached(board, "summary", compute), "as_of": as_of()}


def trend(board: Board, by: str) -> list[dict[str, Any]]:
    def compute() -> list[dict[str, Any]]:
        rows = reading.sums(board, by)
        points = []
        for first in sorted(rows):
            if by == "week":
                last = first + dt.timedelta(days=6)
                label = f"{first:%m-%d}"
            else:
                nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                last = nxt - dt.timedelta(days=1)
                label = f"{first:%Y-%m}"
            start, end = max(first, board.period.start), min(last, board.period.end)
            points.append(
                _point(
                    _figures(rows[first]),
                    key=first.isoformat(),
                    label=label,
                    ledger=board.ledger(start=start, end=end),
                )
            )
        return points

    return _cached(board, f"trend:{by}", compute)


def breakdown(board: Board, by: str, *, order: str = "received", top: int = TOP) -> list[dict]:
    def compute() -> list[dict[str, Any]]:
        field = "matter" if by == "matter" else f"{by}_id"
        grouped = reading.sums(board, field)
        # The largest first; ties by key (no key last), as the database would order them.
        keys = sorted(
            (k for k, row in grouped.items() if row[order] > 0),
            key=lambda k: (-grouped[k][order], k is None, k if k is not None else 0),
        )[:top]
        names: dict[Any, tuple[str, str]] = {}
        if by == "unit":
            names = {u.pk: (u.code, u.name) for u in Unit.objects.filter(pk__in=keys)}
        elif by == "street":
            names = {j.pk: (j.code, j.name) for j in Jurisdiction.objects.filter(pk__in=keys)}
        elif by == "estate":
            names = {e.pk: (e.code, e.name) for e in Estate.objects.filter(pk__in=keys)}
        else:
            for code, name in MatterType.objects.filter(code__in=keys).values_list("code", "name"):
                names[code] = (code, name)
        metric = order if order in FIGURE_NAMES else "received"
        points = []
        for k in keys:
            code, name = names.get(k, ("", _("未分类")))
            points.append(
                _point(
                    _figures(grouped[k]),
                    key=code,
                    label=name,
                    ledger=board.ledger(metric, **{by: code}),
                )
            )
        return points

    return _cached(board, f"breakdown:{by}:{order}:{top}", compute)


def ranking(board: Board, kind: str) -> list[dict[str, Any]]:
    """Units with the most overdue (拖延不办) or buck-passing (推诿扯皮) records."""
    return breakdown(board, "unit", order=kind, top=RANK)


# The map's counts are a state read from the cases: kept for a minute per board.
MAP_SECONDS = 60


def estate_map(board: Board) -> list[dict[str, Any]]:
    """Estates with coordinates and their open and overdue cases (from the cases, not
    the rollup: a state, not a count of events), as of the current minute: counting a
    province's open cases costs what they are (300 ms for 97,000 at 1.1 M cases, issue
    12), so each board's answer is kept until the minute ends, as the charts beside it
    are kept until the rollup's next pass."""
    minute = int(timezone.now().timestamp() // MAP_SECONDS)
    return _cached(board, f"map:{minute}", lambda: _estate_map(board), MAP_SECONDS)


def open_by_estate(parts: list[Q], narrow: Q, now: dt.datetime) -> dict[int, dict[str, int]]:
    """Open and overdue cases per estate among those of ``parts`` (a reader's
    ``readable_parts``: disjoint, so no case counts twice) within ``narrow``: one grouped
    query per part, joined by UNION ALL.

    The OR of the branches would be one bitmap of several indexes and a visit to every
    found row (1.4 s for a county's 800,000 open cases at 10 M); a branch alone is a range
    of ``case_open_area_idx`` or ``case_open_estate_idx``, partial indexes of the open
    cases holding the overdue test's columns, read without the table (cases 0018,
    docs/performance.md)."""
    grouped: list[QuerySet[Any]] = []
    for part in parts:
        grouped.append(
            Case.objects.filter(part & narrow)
            .values("estate_id")
            # estate_id (never NULL), not the id: a column the partial indexes hold,
            # so the count is read from the index alone.
            .annotate(open=Count("estate_id"), overdue=Count("estate_id", filter=overdue_q(now)))
            .order_by()
        )
    if not grouped:
        return {}
    first, *rest = grouped
    counts: dict[int, dict[str, int]] = {}
    for row in first.union(*rest, all=True) if rest else first:
        found = counts.setdefault(row["estate_id"], {"open": 0, "overdue": 0})
        found["open"] += row["open"]
        found["overdue"] += row["overdue"]
    return counts


def _estate_map(board: Board) -> list[dict[str, Any]]:
    now = timezone.now()
    within = Q(state__in=OPEN_STATES)
    estates = Estate.objects.filter(latitude__isnull=False, longitude__isnull=False)
    if board.street is not None:
        within &= Q(area_path__startswith=board.street.path)
        estates = estates.filter(community__path__startswith=board.street.path)
    if board.unit is not None:
        within &= Q(lead_unit=board.unit)
    if board.estate is not None:
        within &= Q(estate=board.estate)
        estates = estates.filter(pk=board.estate.pk)
    if board.matter:
        within &= Q(matter__code=board.matter)
    counts = open_by_estate(viewer(board.user).readable_parts(), within, now)
    roots = area_roots(board.user)
    shown = Q(pk__in=list(counts))
    if roots is None:
        shown = Q()
    else:
        for root in roots:
            shown |= Q(community__path__startswith=root)
    ledger = reverse("cases:ledger")
    narrow = {"open": "1"}
    for name, value in (
        ("street", board.street.code if board.street else ""),
        ("unit", board.unit.code if board.unit else ""),
        ("matter", board.matter),
    ):
        if value:
            narrow[name] = value
    points = []
    for estate in estates.filter(shown).order_by("code"):
        row: Any = counts.get(estate.pk, {})
        points.append(
            {
                "key": estate.code,
                "label": estate.name,
                "lat": float(estate.latitude or 0),
                "lon": float(estate.longitude or 0),
                "open": row.get("open", 0),
                "overdue": row.get("overdue", 0),
                "ledger": f"{ledger}?{urlencode({**narrow, 'estate': estate.code})}",
                "ledger_overdue": (
                    f"{ledger}?{urlencode({**narrow, 'estate': estate.code, 'overdue': '1'})}"
                ),
            }
        )
    return points

"""Reads of cases: desks, inboxes, the ledger with its filters, unit metrics computed
from the event log, and candidate topics for joint conferences."""

from __future__ import annotations

import datetime as dt
import json
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property, reduce
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import lookups  # noqa: F401 - registers has_bigrams (search_q)
from gongzhi.cases.access import intake_right, readable_cases, viewer
from gongzhi.cases.models import (
    OPEN_STATES,
    Accountability,
    Case,
    CaseEvent,
    CaseTask,
    Channel,
    Rating,
    State,
)
from gongzhi.catalog.models import MatterType
from gongzhi.org.models import Estate, Jurisdiction, Unit

LIST_RELATED = ("estate", "matter", "lead_unit", "level")


DESK_STATES = (State.REGISTERED, State.RETURNED, State.ESCALATED, State.HANDLED, State.REVIEW)


def desk_cases(user: Any) -> QuerySet[Case]:
    """The dispatch desk: cases waiting for an office to act at a level it manages (the
    levels are looked up first, so the case table is filtered by ids, not joined)."""
    scope = viewer(user).scope
    qs = Case.objects.filter(state__in=DESK_STATES).select_related(*LIST_RELATED)
    if scope.is_admin:
        return qs.order_by("created_at")
    if not scope.office_paths:
        return qs.none()
    q = Q(pk__in=[])
    for root in scope.office_paths:
        q |= Q(path__startswith=root)
    levels = Jurisdiction.objects.filter(q).values("pk")
    return qs.filter(level_id__in=levels).order_by("created_at")


def inbox_cases(user: Any) -> QuerySet[Case]:
    """The open cases of the units the user handles for, soonest due first."""
    ids = viewer(user).handling_unit_ids
    return (
        Case.objects.filter(
            lead_unit_id__in=ids,
            state__in=(State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS, State.SUSPENDED),
        )
        .select_related(*LIST_RELATED)
        .order_by("resolve_due_at", "created_at")
    )


def inbox_tasks(user: Any) -> QuerySet[CaseTask]:
    return (
        CaseTask.objects.filter(
            unit_id__in=viewer(user).handling_unit_ids,
            state__in=(CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN),
        )
        .select_related("case__estate", "unit", "requested_by")
        .order_by("checkin_due_at")
    )


@dataclass
class LedgerFilter:
    estate: str = ""
    unit: str = ""
    matter: str = ""
    state: str = ""
    channel: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    q: str = ""
    # Drill-down from a figure (the dashboards): ``street`` is a street's or town's code
    # (cases of its estates); with ``metric`` (a key of METRIC_DRILLDOWN) the cases with
    # such an event in the dates, counted for ``unit`` (the event's unit, not the lead);
    # ``open``: cases not closed or merged (the estate map).
    street: str = ""
    metric: str = ""
    open: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any) -> LedgerFilter:
        f = cls(
            estate=params.get("estate", "").strip(),
            unit=params.get("unit", "").strip(),
            matter=params.get("matter", "").strip(),
            state=params.get("state", "").strip(),
            channel=params.get("channel", "").strip(),
            q=params.get("q", "").strip(),
            street=params.get("street", "").strip(),
            metric=params.get("metric", "").strip(),
            open=params.get("open", "") in ("1", "true", "on"),
            overdue=params.get("overdue", "") in ("1", "true", "on"),
        )
        for name in ("date_from", "date_to"):
            raw = params.get(name, "").strip()
            if raw:
                try:
                    setattr(f, name, dt.date.fromisoformat(raw))
                except ValueError:
                    f.errors[name] = _("日期格式应为 YYYY-MM-DD")
        if f.date_from and f.date_to and f.date_to < f.date_from:
            f.errors["date_to"] = _("结束日期不能早于开始日期")
        if f.state and f.state not in State.values:
            f.errors["state"] = _("未知状态")
        if f.channel and f.channel not in Channel.values:
            f.errors["channel"] = _("未知来源渠道")
        if f.metric and f.metric not in METRIC_DRILLDOWN:
            f.errors["metric"] = _("未知指标")
        return f


# The ledger counts at most this many rows: above it the page says "more than 10,000"
# and pages stop there, the API says ``total_capped`` (narrow the filter, or export). An
# exact count over a province's ten million cases would cost a scan of every row the
# account may read, on every view.
COUNT_CAP = 10_000


@dataclass
class LedgerPages:
    """The ledger's count and its pages: ``qs`` (the reader's cases, filtered, newest
    first: its rows are the ones shown) read as ``parts``, the same cases split along the
    reader's scope (``access.Viewer.readable_parts``: disjoint, each with the filters),
    or as a whole when ``parts`` is empty. The page and ``GET /api/cases/`` read it so.

    Each part is counted on its own, reading at most ``COUNT_CAP + 1`` of its ids, and
    the counts added. With the scope as one OR of several indexes PostgreSQL can only
    combine them into one bitmap or walk the dates testing every row: a unit's cases in
    progress read 300,000 rows at 10 M (320 ms); as a part, the lead unit's are a range
    of case_inbox_idx read without the table (3 ms; docs/performance.md)."""

    qs: QuerySet[Case]
    parts: list[QuerySet[Case]] = field(default_factory=list)
    # Read the whole's (time, id) keys at once, at most COUNT_CAP + 1 of them, rather than
    # count its rows and then read their keys: where few rows are expected (a search read
    # by a narrow scope's index first), so that the same rows are not found twice.
    keys_first: bool = False
    _keys: list[tuple[dt.datetime, int]] | None = field(default=None, init=False, repr=False)

    @cached_property
    def counts(self) -> list[int]:
        """Each part's rows (or the whole's), at most ``COUNT_CAP + 1`` each; ids only,
        unordered: a count needs no joins and no sort."""
        if self.keys_first and not self.parts:
            self._keys = list(self._unordered_keys(self.qs)[: COUNT_CAP + 1])
            return [len(self._keys)]
        return [int(p.order_by().values("pk")[: COUNT_CAP + 1].count()) for p in self._sources]

    @staticmethod
    def _unordered_keys(qs: QuerySet[Case]) -> QuerySet[Any]:
        return qs.order_by().prefetch_related(None).values_list("created_at", "pk")

    @property
    def found(self) -> int:
        """How many rows, at most ``COUNT_CAP + 1`` ("more than ``COUNT_CAP``")."""
        return min(sum(self.counts), COUNT_CAP + 1)

    @property
    def capped(self) -> bool:
        return self.found > COUNT_CAP

    @property
    def _sources(self) -> list[QuerySet[Case]]:
        return self.parts or [self.qs]

    def rows(self, offset: int, limit: int) -> list[Case]:
        """Rows ``offset`` to ``offset + limit``, newest first. A part of at most
        ``COUNT_CAP`` rows gives the (time, id) keys of all of them, unordered; a denser
        one its first ``offset + limit`` keys in order; the page's ids are picked from
        the keys and only those rows read. Asked for the newest 50 of a narrow part
        directly, PostgreSQL would walk the whole table's dates from the newest and read
        tens of thousands of other accounts' rows first (issue 12); a dense part finds its
        page quickly in date order."""
        sources = self._sources
        if len(sources) == 1 and self.counts[0] > COUNT_CAP:
            return list(self.qs[offset : offset + limit])
        keys: list[tuple[dt.datetime, int]] = list(self._keys or [])
        for part, n in zip(sources, self.counts, strict=True):
            if not n or self._keys is not None:
                continue
            if n > COUNT_CAP:
                ordered = part.order_by("-created_at", "-id")
                keys += ordered.values_list("created_at", "pk")[: offset + limit]
            else:
                keys += self._unordered_keys(part)
        ids = [pk for _, pk in sorted(keys, reverse=True)[offset : offset + limit]]
        if not ids:
            return []
        by_id = {case.pk: case for case in self.qs.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def prepared(self, prepare: Callable[[QuerySet[Case]], QuerySet[Case]]) -> LedgerPages:
        """The same, its rows read through ``prepare`` (the columns a page shows)."""
        return replace(self, qs=prepare(self.qs))


def ledger(user: Any, f: LedgerFilter, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases ``user`` may read, filtered; newest first."""
    return _ledger(user, f, now or timezone.now())[0]


def ledger_pages(user: Any, f: LedgerFilter, *, now: dt.datetime | None = None) -> LedgerPages:
    """``ledger`` with the parts its count and pages are read by (see ``LedgerPages``):
    one per branch of the reader's scope, when there are several, the filter applied to
    each. A search is read whole: ``search_by_word`` already decides how."""
    qs, filters, by_index = _ledger(user, f, now or timezone.now())
    if f.q:
        # A search read by the scope's index first is one in a narrow scope (a unit's):
        # few matches, so their keys are read at once (a unit's 电梯 at 10 M: 577 cases,
        # found twice at 157 ms each before).
        return LedgerPages(qs, keys_first=by_index)
    parts: list[QuerySet[Case]] = []
    v = viewer(user)
    # An area's reader (an office, a street) is read whole: its area's cases are most of
    # its scope and hold most of its other branches' (a street office leads cases of its
    # own streets), and a part made disjoint from the area would read all of them to find
    # the few outside it (a street's default view: 3.3 s by parts at 10 M, 56 ms whole).
    if v.is_authenticated and not v.area_roots:
        scope = v.readable_parts()
        if len(scope) > 1:
            parts = [Case.objects.filter(part).filter(filters) for part in scope]
    return LedgerPages(qs, parts)


def _ledger(user: Any, f: LedgerFilter, now: dt.datetime) -> tuple[QuerySet[Case], Q, bool]:
    """(the reader's cases filtered, newest first; the filter alone; whether the scope
    is written for its indexes, i.e. not ``search_by_word``)."""
    search = _search(user, f.q) if f.q else None
    by_index = not (search and search_by_word(user, f.q, search[0]))
    filters = _filters(f, now, search)
    qs = readable_cases(user, by_index=by_index).filter(filters)
    return qs.select_related(*LIST_RELATED).order_by("-created_at", "-id"), filters, by_index


def _filters(f: LedgerFilter, now: dt.datetime, search: tuple[Q, Q] | None) -> Q:
    """The ledger's filter as one condition on case columns. Codes are looked up first,
    so the case table is filtered by ids the planner has statistics for (a rare matter
    is read by its index, not by walking the dates)."""
    q = Q()
    if f.estate:
        q &= Q(estate_id__in=_ids(Estate.objects.filter(code=f.estate)))
    if f.matter:
        q &= Q(matter_id__in=_ids(MatterType.objects.filter(code=f.matter)))
    if f.state:
        q &= Q(state=f.state)
    if f.open:
        # Named, not "not closed or merged": PostgreSQL then reads a unit's open cases by
        # case_inbox_idx (lead unit, state): 58,000 index rows instead of its 574,000
        # cases, 581 -> 33-81 ms at 10 M (docs/performance.md). The same states (tested).
        q &= Q(state__in=OPEN_STATES)
    if f.channel:
        q &= Q(channel=f.channel)
    if f.metric:
        q &= Q(pk__in=_metric_events(f).values("case_id"))
    else:
        if f.unit:
            q &= Q(lead_unit_id__in=_ids(Unit.objects.filter(code=f.unit)))
        # Local days as a range of instants: the created_at index reads it (``__date``
        # would convert every row's time first).
        if f.date_from:
            q &= Q(created_at__gte=_local_midnight(f.date_from))
        if f.date_to:
            q &= Q(created_at__lt=_local_midnight(f.date_to + dt.timedelta(days=1)))
    if f.street:
        street = Jurisdiction.objects.filter(code=f.street).values_list("path", flat=True)
        q &= Q(area_path__startswith=street[0]) if street else Q(pk__in=[])
    if search:
        q &= search[1]
    if f.overdue:
        q &= overdue_q(now)
    return q


# Reading a row from the table and testing it costs about what adding this many rows to
# a bitmap does. PostgreSQL 15 at 10 M cases (docs/performance.md, "The word's index or
# the scope's"): the county's 7.5 M-row scope bitmap took 0.43 s (58 ns a row), a word's
# rows tested against the scope 6-11 µs each (a ratio of 100-190); at 190 the property
# company's 物业费 (3.2 M rows in scope, 148,000 estimated for the word) went scope first
# and took 606 ms p95 against 299 ms word first, so the lower end.
ROW_VS_BITMAP_ROW = 100


def search_by_word(user: Any, text: str, arms: Q) -> bool:
    """Whether the ledger's search for ``text`` should read the word's rows by its index
    and test the scope on each (``readable_cases(by_index=False)``), rather than let
    PostgreSQL AND a bitmap of the whole scope with the word's. The planner picks the
    latter because it expects fewer matches than the count's cap; for a county's office
    that bitmap holds 7.5 M rows at 10 M cases (0.4 s) for a word in 300,000 of them, and
    for any reader a word in one case costs the whole scope's bitmap.

    Decided on the planner's estimates (statistics only, no rows read): S the scope's
    rows, W the word's, N the table's. Word first reads min(W, cap × N / S) rows; scope
    first builds S bitmap entries and reads min(cap, W × S / N) rows. A unit's narrow
    scope keeps its index for a common word, which tested row by row would read every
    case of the province holding it. Not on SQLite, whose plans do not combine indexes."""
    if connection.vendor != "postgresql" or len(text) < 2:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Case._meta.db_table]
        )
        row = cursor.fetchone()
    total = float(row[0]) if row else 0.0
    if total <= 0:  # never analysed: no estimate
        return False
    scope = _estimated_rows(readable_cases(user))
    # The arms alone: with the bigram test ANDed the planner multiplies two estimates of
    # the same rows (12,000 for a word in 290,000 cases).
    word = _estimated_rows(Case.objects.filter(arms))
    if scope <= 0:
        return True
    return word_first(scope=scope, word=word, total=total)


def word_first(*, scope: float, word: float, total: float) -> bool:
    """``search_by_word``'s rule on estimated rows (see there)."""
    by_word = min(word, COUNT_CAP * total / scope)
    by_scope = scope / ROW_VS_BITMAP_ROW + min(COUNT_CAP, word * scope / total)
    return by_word < by_scope


def _estimated_rows(qs: QuerySet[Case]) -> float:
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _ids(qs: QuerySet) -> list[int]:
    return sorted(qs.values_list("pk", flat=True))


# A phone number as people type it: digits with spaces, dashes or a leading +86.
_PHONE = re.compile(r"\+?[\d\s\-]{4,20}")
# "5号楼1201", "5栋 1201", "5-1201": a building and a room.
# i18n: data (a pattern matched against addresses as residents write them)
_ADDRESS = re.compile(
    r"(\d{1,4}|[A-Za-z]\d{0,3})\s*(?:号楼|栋|幢|座|-)\s*(?:\d{1,2}单元)?\s*(\d{2,5})"
)


# Three word characters in a row: a trigram, which cases 0016's index reads.
_TRIGRAM = re.compile(r"\w{3}")


def search_q(user: Any, text: str) -> Q:
    """``_search``'s filter (the arms, and the bigram test before them)."""
    return _search(user, text)[1]


def _search(user: Any, text: str) -> tuple[Q, Q]:
    """(the arms, the filter). The one search box (台账 and the bar on every staff page):
    ledger number, title words, estate name or code and the integration's reference,
    within what ``user`` may read; the reporter's phone, name and the address only where
    ``user`` sees the reporter (``access.Viewer.reporter_q``), so a search never reveals
    who reported a case. The arms decide which rows match; the filter is what the ledger
    applies (on PostgreSQL the arms ANDed with a test the bigram index serves), and
    ``search_by_word`` estimates the word's rows from the arms alone."""
    text = text.strip()
    if Case.objects.filter(number=text).exists():
        # A whole ledger number names one case: read it by the unique index, not by
        # matching the text against every title.
        return Q(number=text), Q(number=text)
    # Every arm tests a column of the case itself, so that on PostgreSQL the OR is a
    # BitmapOr of index scans (cases 0016's trigram index, case_estate_idx) and not a
    # filter over every row: the estates are found first (a join in the OR would make
    # it a join filter, whatever the indexes).
    estates = _ids(Estate.objects.filter(Q(name__icontains=text) | Q(code__iexact=text)))
    public = [
        Q(number__icontains=text),
        Q(title__icontains=text),
        Q(external_ref=text),
        Q(estate_id__in=estates),
    ]
    private = [Q(reporter_name=text), Q(location__icontains=text)]
    if _PHONE.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        if len(digits) >= 4:
            private.append(Q(reporter_phone__contains=digits))
    address = _ADDRESS.search(text)
    if address:
        private.append(Q(building=address.group(1), room=address.group(2)))
    found = _any(public) | (_any(private) & viewer(user).reporter_q())
    if len(text) < 2 or _TRIGRAM.search(text):
        # A trigram serves icontains (cases 0016). One character: no index can narrow it,
        # PostgreSQL scans the reader's scope.
        return found, found
    # No trigram (漏水, 电梯, "A-1"): the same arms, and first a test that each of them
    # implies, on the case's own columns only — an icontains replaced by "has every
    # two-character piece of the text" (cases.lookups, cases 0017's bigram index). The
    # rows found are the arms' alone; the test only lets PostgreSQL read the rows by an
    # index (a BitmapOr) and stays out of the per-row test, where cutting every found
    # row's text took about what the index saved (docs/performance.md).
    return found, found & _any(_by_bigrams(arm) for arm in public + private)


def _any(arms: Iterable[Q]) -> Q:
    return reduce(operator.or_, arms)


def _by_bigrams(arm: Q) -> Q:
    """``field__icontains=word`` → ``field__has_bigrams=word``, which it implies; any
    other arm as it is."""
    leaf = arm.children[0] if len(arm.children) == 1 else None
    if isinstance(leaf, tuple) and leaf[0].endswith("__icontains"):
        return Q(**{leaf[0].removesuffix("icontains") + "has_bigrams": leaf[1]})
    return arm


def _metric_events(f: LedgerFilter) -> QuerySet[CaseEvent]:
    """The events behind a figure: those of the metric (counted for ``f.unit`` when
    given) on a day in [date_from, date_to]; the same events as unit_metrics counts."""
    events = CaseEvent.objects.filter(METRIC_DRILLDOWN[f.metric], unit__isnull=False)
    if f.unit:
        events = events.filter(unit__code=f.unit)
    if f.date_from:
        events = events.filter(created_at__date__gte=f.date_from)
    if f.date_to:
        events = events.filter(created_at__date__lte=f.date_to)
    if f.metric in RATING_METRICS:
        upheld = CaseEvent.objects.filter(case_id=OuterRef("case_id"), action="appeal_upheld")
        events = events.exclude(Exists(upheld))
    return events


def overdue_q(now: dt.datetime) -> Q:
    running = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)
    return (
        Q(state__in=running, resolve_due_at__lt=now)
        | Q(state=State.DISPATCHED, accept_due_at__lt=now)
        | Q(breached_at__isnull=False)
    )


# --- metrics --------------------------------------------------------------------------------


# Events that put a case in a unit's hands: dispatched, transferred or reported to it,
# handed back by a ruling, or reopened.
RECEIVED_ACTIONS = ("dispatch", "transfer", "rule_transfer", "report", "overrule", "reopen")


@dataclass
class Figures:
    """The counts behind the metrics and the three rates computed from them: the one
    definition of 响应率, 解决率 and 满意率, used by the unit metrics and the dashboards."""

    received: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    handled: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue: int = 0
    returned: int = 0
    buck_passing: int = 0
    reopened: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def response_rate(self) -> float | None:
        """响应率: accepted within the acceptance limit, of those received."""
        return self._rate(self.accepted_on_time, self.received)

    @property
    def resolve_rate(self) -> float | None:
        """解决率: handled, of those received."""
        return self._rate(self.handled, self.received)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: 满意 or 基本满意, of those rated (upheld appeals excluded)."""
        return self._rate(self.satisfied, self.rated)


FIGURE_NAMES = tuple(f.name for f in fields(Figures))


@dataclass(kw_only=True)
class UnitMetrics(Figures):
    unit: Unit


def unit_metrics(
    *, units: QuerySet[Unit] | list[Unit], start: dt.datetime, end: dt.datetime
) -> list[UnitMetrics]:
    """Metrics per unit for [start, end), computed from the event log alone, so they can
    be recomputed at any time."""
    unit_list = list(units)
    ids = [u.pk for u in unit_list]
    events = CaseEvent.objects.filter(unit_id__in=ids, created_at__gte=start, created_at__lt=end)
    upheld = CaseEvent.objects.filter(case_id=OuterRef("case_id"), action="appeal_upheld")
    counts: dict[int, dict[str, int]] = {uid: {} for uid in ids}

    def add(rows: Any, name: str) -> None:
        for row in rows:
            counts[row["unit_id"]][name] = row["n"]

    received = events.filter(action__in=RECEIVED_ACTIONS)
    add(received.values("unit_id").annotate(n=Count("id")), "received")
    add(events.filter(action="accept").values("unit_id").annotate(n=Count("id")), "accepted")
    add(
        events.filter(action="accept", extra__on_time=True)
        .values("unit_id")
        .annotate(n=Count("id")),
        "accepted_on_time",
    )
    add(events.filter(action="handle").values("unit_id").annotate(n=Count("id")), "handled")
    ratings = events.filter(Q(action="rate") | Q(action="rated")).exclude(Exists(upheld))
    add(ratings.values("unit_id").annotate(n=Count("id")), "rated")
    add(
        ratings.filter(extra__rating__in=[Rating.SATISFIED, Rating.BASIC])
        .values("unit_id")
        .annotate(n=Count("id")),
        "satisfied",
    )
    add(events.filter(action="account_delay").values("unit_id").annotate(n=Count("id")), "overdue")
    add(events.filter(action="return").values("unit_id").annotate(n=Count("id")), "returned")
    add(
        events.filter(action="account_buck_passing").values("unit_id").annotate(n=Count("id")),
        "buck_passing",
    )
    add(events.filter(action="reopen").values("unit_id").annotate(n=Count("id")), "reopened")
    result = []
    for unit in unit_list:
        m = UnitMetrics(unit=unit, **counts[unit.pk])
        result.append(m)
    return result


METRIC_DRILLDOWN = {
    "received": Q(action__in=RECEIVED_ACTIONS),
    "accepted": Q(action="accept"),
    "accepted_on_time": Q(action="accept", extra__on_time=True),
    "handled": Q(action="handle"),
    "rated": Q(action__in=("rate", "rated")),
    "satisfied": Q(
        action__in=("rate", "rated"), extra__rating__in=[Rating.SATISFIED, Rating.BASIC]
    ),
    "overdue": Q(action="account_delay"),
    "returned": Q(action="return"),
    "buck_passing": Q(action="account_buck_passing"),
    "reopened": Q(action="reopen"),
}
RATING_METRICS = ("rated", "satisfied")


def metric_cases(
    *, unit: Unit, metric: str, start: dt.datetime, end: dt.datetime
) -> QuerySet[Case]:
    """The cases behind one figure of a unit's metrics (drill-down)."""
    cond = METRIC_DRILLDOWN.get(metric, Q(pk__in=[]))
    events = CaseEvent.objects.filter(
        cond, unit_id=unit.pk, created_at__gte=start, created_at__lt=end
    )
    if metric in RATING_METRICS:
        # As in unit_metrics: an upheld appeal takes the rating out of the figures.
        upheld = CaseEvent.objects.filter(case_id=OuterRef("case_id"), action="appeal_upheld")
        events = events.exclude(Exists(upheld))
    case_ids = events.values("case_id")
    return Case.objects.filter(pk__in=case_ids).select_related(*LIST_RELATED)


# --- candidate topics for joint conferences -------------------------------------------------


@dataclass
class TopicCandidate:
    case: Case
    reason: str
    kind: str


def case_topic_candidates(*, jurisdiction: Jurisdiction) -> list[TopicCandidate]:
    """Cases a conference at ``jurisdiction`` should consider (loop 2 of DOMAIN.md): those
    returned or escalated twice or more, cross-unit disputes (a buck-passing ruling), and
    cases overdue at street level — open, and within the conference's area."""
    now = timezone.now()
    base = Case.objects.filter(
        Q(estate__community__path__startswith=jurisdiction.path),
        state__in=[s for s in State.values if s not in (State.CLOSED, State.MERGED)],
    ).select_related(*LIST_RELATED)
    found: dict[int, TopicCandidate] = {}
    for case in base.filter(Q(return_count__gte=2) | Q(escalation_count__gte=2)):
        kind = "returned" if case.return_count >= 2 else "escalated"
        reason = (
            _("已退回 %(return_count)s 次") % {"return_count": case.return_count}
            if kind == "returned"
            else _("已逐级上报 %(escalation_count)s 次")
            % {"escalation_count": case.escalation_count}
        )
        found[case.pk] = TopicCandidate(case, reason, kind)
    disputed = Accountability.objects.filter(kind=Accountability.Kind.BUCK_PASSING).values(
        "case_id"
    )
    for case in base.filter(pk__in=disputed):
        found.setdefault(case.pk, TopicCandidate(case, _("单位间推诿，经办公室裁定"), "dispute"))
    street_overdue = base.filter(
        overdue_q(now), level__level__in=(Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN)
    )
    for case in street_overdue:
        found.setdefault(case.pk, TopicCandidate(case, _("在街道层级超时未办结"), "overdue"))
    return sorted(found.values(), key=lambda c: c.case.created_at)


# --- staff intake -----------------------------------------------------------------------

INTAKE_ESTATES_LIMIT = 12


def intake_estates(user: Any, text: str, *, limit: int = INTAKE_ESTATES_LIMIT) -> list[Estate]:
    """Estates ``user`` may register for whose name, address or code holds ``text``,
    for the staff intake form's search (scoped by ``access.intake_right`` first)."""
    text = text.strip()[:50]
    if not text:
        return []
    right = intake_right(user)
    if not right.channels or right.as_resident:
        return []
    return list(
        Estate.objects.filter(right.estates_q)
        .filter(Q(name__icontains=text) | Q(address__icontains=text) | Q(code__iexact=text))
        .select_related("community")
        .order_by("name", "code")[:limit]
    )


def likely_duplicates(estate: Estate, matter_code: str, *, limit: int = 5) -> list[Case]:
    """Open cases of the same estate and matter: the call may be about one of them.
    What the intake form shows of them is what the public board shows."""
    if not matter_code:
        return []
    return list(
        Case.objects.filter(
            estate=estate,
            matter__code=matter_code,
            state__in=OPEN_STATES,
            merged_into__isnull=True,
        )
        .select_related("estate", "matter", "lead_unit")
        .order_by("-created_at", "-id")[:limit]
    )

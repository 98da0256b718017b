"""The rollup equals a direct recomputation from the events: for the demo, after a
sequence of case moves read pass by pass, and when an event commits after a later one
was read."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.selectors import FIGURE_NAMES, unit_metrics
from gongzhi.org.models import Jurisdiction, Unit, User
from gongzhi.stats import rollup
from gongzhi.stats.models import DailyFigures, MonthlyFigures, RollupCursor

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2027, 5, 11, 10, 0, tzinfo=BJ)


def u(name: str) -> User:
    return User.objects.get(username=name)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("estate__community", "lead_unit", "level").get(pk=case.pk)


def register(now: dt.datetime, **kw: Any) -> Case:
    args: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道无人打扫",
        "description": "3号楼楼道垃圾一周无人清理",
        "matter_code": "JX-15-a",
        "reporter_name": "王秀英",
        "reporter_phone": "13905371234",
    }
    args.update(kw)
    with time_machine.travel(now, tick=False):
        return s.case_register(now=now, **args)


def assert_equals_direct_recomputation() -> None:
    """Per unit and day, the rollup's sums are the unit metrics computed from the events
    (cases.selectors.unit_metrics); and a rebuild gives the same rows."""
    days = {
        timezone.localtime(t, BJ).date()
        for t in CaseEvent.objects.values_list("created_at", flat=True)
    }
    units = list(Unit.objects.all())
    for day in sorted(days):
        start = dt.datetime.combine(day, dt.time(0), tzinfo=BJ)
        direct = {
            m.unit.pk: tuple(getattr(m, n) for n in FIGURE_NAMES)
            for m in unit_metrics(units=units, start=start, end=start + dt.timedelta(days=1))
        }
        rows: Any = (
            DailyFigures.objects.filter(day=day)
            .values("unit_id")
            .annotate(**{n: Sum(n) for n in FIGURE_NAMES})
        )
        summed = {r["unit_id"]: tuple(r[n] for n in FIGURE_NAMES) for r in rows}
        for unit_id, figures in direct.items():
            assert summed.get(unit_id, (0,) * len(FIGURE_NAMES)) == figures, (day, unit_id)
    assert_monthly_rows_sum_the_daily_rows()
    kept = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == kept


def assert_monthly_rows_sum_the_daily_rows() -> None:
    """Each monthly row holds the sums of the month's daily rows of its place (the
    street's path, or the area's without a street), unit and matter; no other."""
    paths = dict(Jurisdiction.objects.values_list("pk", "path"))
    expected: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(FIGURE_NAMES))
    for row in DailyFigures.objects.values_list(
        "day", "area_path", "street_id", "unit_id", "matter", *FIGURE_NAMES
    ):
        day, area, street_id, unit_id, matter = row[:5]
        place = paths[street_id] if street_id else area
        sums = expected[(day.replace(day=1), place, street_id, unit_id, matter)]
        for i, value in enumerate(row[5:]):
            sums[i] += value
    monthly = {
        row[:5]: list(row[5:])
        for row in MonthlyFigures.objects.values_list(
            "month", "area_path", "street_id", "unit_id", "matter", *FIGURE_NAMES
        )
    }
    assert {k: v for k, v in monthly.items() if any(v)} == {
        k: v for k, v in expected.items() if any(v)
    }
    assert MonthlyFigures.objects.exists() == DailyFigures.objects.exists()


def test_demo_rollup_equals_recomputation(demo: Any) -> None:
    assert DailyFigures.objects.exists()  # the demo part read the demo's events
    assert RollupCursor.objects.get().last_id == CaseEvent.objects.order_by("id").last().pk  # type: ignore[union-attr]
    assert_equals_direct_recomputation()


def test_moves_read_pass_by_pass_equal_recomputation(demo: Any) -> None:
    office, wuye = u("office"), u("wuye")
    t = T0
    steps: list[Any] = []
    one = register(t, title="一号件")
    steps += [
        lambda: s.case_accept(case=fresh(one), actor=wuye, now=t + dt.timedelta(minutes=20)),
        lambda: s.case_start(case=fresh(one), actor=wuye, now=t + dt.timedelta(hours=1)),
        lambda: s.case_handle(
            case=fresh(one), actor=wuye, result="已清理", now=t + dt.timedelta(hours=2)
        ),
        lambda: s.case_feedback(case=fresh(one), actor=office, now=t + dt.timedelta(hours=3)),
        lambda: s.case_rate(
            case=fresh(one), actor=office, rating="satisfied", now=t + dt.timedelta(days=1)
        ),
    ]
    two = register(t, title="二号件")
    steps += [
        lambda: s.case_return(
            case=fresh(two),
            actor=wuye,
            reason="不属物业",
            claimed_matter_code="JX-04-a",
            now=t + dt.timedelta(hours=1),
        ),
        lambda: s.case_overrule(
            case=fresh(two), actor=office, reason="属物业服务", now=t + dt.timedelta(days=2)
        ),
        lambda: s.case_accept(case=fresh(two), actor=wuye, now=t + dt.timedelta(days=12)),
    ]
    three = register(t + dt.timedelta(days=1), title="三号件")
    steps += [
        lambda: s.case_accept(case=fresh(three), actor=wuye, now=t + dt.timedelta(days=1, hours=1)),
        lambda: s.case_start(case=fresh(three), actor=wuye, now=t + dt.timedelta(days=1, hours=2)),
        lambda: s.case_handle(
            case=fresh(three), actor=wuye, result="已清理", now=t + dt.timedelta(days=1, hours=3)
        ),
        lambda: s.case_feedback(
            case=fresh(three), actor=office, now=t + dt.timedelta(days=1, hours=4)
        ),
        lambda: s.case_rate(
            case=fresh(three),
            actor=office,
            rating="dissatisfied",
            reason="没扫干净",
            now=t + dt.timedelta(days=3),
        ),
        lambda: s.case_appeal(case=fresh(three), actor=wuye, reason="已按标准清扫"),
        lambda: s.case_appeal_decide(
            case=fresh(three), actor=office, upheld=True, reason="复查属实"
        ),
    ]
    rollup.catch_up()
    for step in steps:
        step()
        rollup.catch_up()
    unit = demo.units["pc:鸿泰"]
    totals = DailyFigures.objects.filter(unit=unit, day__gte=T0.date()).aggregate(
        **{n: Sum(n) for n in FIGURE_NAMES}
    )
    # received: three dispatches, one overrule back, one reopen; the upheld appeal takes
    # case three's dissatisfied rating out, so one rating, satisfied.
    assert (totals["received"], totals["returned"], totals["buck_passing"]) == (5, 1, 1)
    assert (totals["rated"], totals["satisfied"], totals["reopened"]) == (1, 1, 1)
    assert_equals_direct_recomputation()
    # The figures per estate are those of the events of the estate's cases.
    by_estate: dict[int, int] = defaultdict(int)
    for case_id in CaseEvent.objects.filter(action="handle", unit__isnull=False).values_list(
        "case_id", flat=True
    ):
        by_estate[Case.objects.get(pk=case_id).estate_id] += 1
    rows = DailyFigures.objects.values("estate_id").annotate(n=Sum("handled"))
    assert {r["estate_id"]: r["n"] for r in rows if r["n"]} == dict(by_estate)


def test_an_event_committed_late_is_read_from_its_gap(demo: Any) -> None:
    """The rating's transaction commits after the upheld appeal was read: the gap keeps
    its id, the next pass reads it, and the rating still stays out of the figures."""
    office, wuye = u("office"), u("wuye")
    case = register(T0)
    for move in (s.case_accept, s.case_start):
        move(case=fresh(case), actor=wuye, now=T0 + dt.timedelta(hours=1))
    s.case_handle(case=fresh(case), actor=wuye, result="已清理", now=T0 + dt.timedelta(hours=2))
    s.case_feedback(case=fresh(case), actor=office, now=T0 + dt.timedelta(hours=3))
    rollup.catch_up()
    before = RollupCursor.objects.get().last_id
    s.case_rate(case=fresh(case), actor=office, rating="satisfied", now=T0 + dt.timedelta(hours=4))
    s.case_appeal(case=fresh(case), actor=wuye, reason="评价不实")
    s.case_appeal_decide(case=fresh(case), actor=office, upheld=True, reason="属实")
    late = set(
        CaseEvent.objects.filter(id__gt=before, action__in=("rate", "rated")).values_list(
            "id", flat=True
        )
    )
    assert late
    seen = set(CaseEvent.objects.filter(id__gt=before).values_list("id", flat=True)) - late
    rollup._apply(seen, lambda i: i <= before)
    now = timezone.now()
    RollupCursor.objects.update(last_id=max(seen), gaps={str(i): now.isoformat() for i in late})
    result = rollup.catch_up(now=now)
    assert result.gaps == 0
    assert_equals_direct_recomputation()


def test_a_gap_never_filled_expires() -> None:
    old = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    rollup.catch_up()
    fresh_gap = timezone.now().isoformat()
    RollupCursor.objects.update(gaps={"99999999": old, "99999998": fresh_gap})
    assert rollup.catch_up().gaps == 1  # the recent one is still awaited
    assert list(RollupCursor.objects.get().gaps) == ["99999998"]


def test_rebuild_command(demo: Any) -> None:
    out = io.StringIO()
    call_command("stats", "rebuild", stdout=out, stderr=io.StringIO())
    assert f"处理事件 {CaseEvent.objects.count()} 条" in out.getvalue()
    out = io.StringIO()
    call_command("stats", "catchup", stdout=out, stderr=io.StringIO())
    assert "处理事件 0 条" in out.getvalue()


def test_synthetic_history_chains_numbers_and_rollup(demo: Any) -> None:
    from gongzhi.stats.synth import synth

    before = Case.objects.count()
    events = synth(120, seed=3)
    assert Case.objects.count() == before + 120
    assert events >= 120 * 2  # registered and dispatched at least
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    states = set(Case.objects.values_list("state", flat=True))
    assert {"closed", "in_progress"} <= states
    # The events are chained as the services chain them.
    out = io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=io.StringIO())  # raises if broken
    assert "案件事件链完整" in out.getvalue()
    rollup.catch_up()
    assert_equals_direct_recomputation()
    # A registration afterwards takes the next ledger number of its county and year.
    case = register(timezone.now())
    assert case.number not in numbers


def test_bench_command_prints_each_chart(demo: Any) -> None:
    out = io.StringIO()
    call_command("stats", "bench", "--runs", "2", stdout=out)
    text = out.getvalue()
    for chart in ("summary", "trend?by=week", "breakdown?by=matter", "ranking?kind=overdue", "map"):
        assert chart in text
    assert "definition p50" in text and "plan p50" in text and "cached p50" in text
    assert "all charts of a page" in text and "案件" in text and "月统计" in text


def test_the_migration_fills_the_monthly_rows_as_the_worker_keeps_them(demo: Any) -> None:
    """Databases kept before the monthly table get it from their daily rows."""
    from django.apps import apps

    fill = importlib.import_module("gongzhi.stats.migrations.0005_fill_monthly_from_daily").fill
    register(T0)
    rollup.catch_up()
    kept = rollup.snapshot()
    MonthlyFigures.objects.all().delete()
    assert rollup.snapshot() != kept
    fill(apps, None)
    assert rollup.snapshot() == kept


def test_a_reclassified_case_counts_each_event_under_the_matter_named_before_it(
    demo: Any,
) -> None:
    """The company returns a case as another matter and the office dispatches it so: the
    company's events stay under the first matter, the new unit's go under the second, in
    the passes and in the rebuild alike."""
    office, wuye = u("office"), u("wuye")
    case = register(T0)
    s.case_return(
        case=fresh(case),
        actor=wuye,
        reason="不属物业",
        claimed_matter_code="JX-04-a",
        now=T0 + dt.timedelta(hours=1),
    )
    s.case_dispatch(
        case=fresh(case), actor=office, matter_code="JX-04-a", now=T0 + dt.timedelta(hours=2)
    )
    assert fresh(case).matter.code == "JX-04-a"  # type: ignore[union-attr]
    rollup.catch_up()
    rows = DailyFigures.objects.filter(day=T0.date()).values_list("unit_id", "matter", "received")
    company = demo.units["pc:鸿泰"].pk
    assert {(m, n) for unit, m, n in rows if unit == company} == {("JX-15-a", 1)}
    assert {m for unit, m, n in rows if unit != company and n} == {"JX-04-a"}
    assert_equals_direct_recomputation()

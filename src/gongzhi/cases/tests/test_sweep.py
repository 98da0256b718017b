"""The deadline sweep on a frozen clock across the 2026 National Day holiday (1–7 Oct off,
Saturday 10 Oct a make-up working day): limits count working time only, a warning comes
before the limit, a breach escalates once with one delay record, and running the sweep
again changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from gongzhi.cases import services as s
from gongzhi.cases.models import Accountability, Case, CaseEvent, Notification, State
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 9, 30, 9, 0, tzinfo=BJ)  # Wednesday before the holiday


def bj(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BJ)


def snapshot() -> tuple[int, int, int]:
    return CaseEvent.objects.count(), Accountability.objects.count(), Notification.objects.count()


def make_case() -> Case:
    case = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="楼道无人打扫",
        description="楼道垃圾无人清理",
        matter_code="JX-15-a",  # accept 2wh, resolve 3wd (003 二(十五), local defaults)
        now=START,
    )
    s.case_accept(case=case, actor=User.objects.get(username="wuye"), now=bj(9, 30, 10))
    return Case.objects.get(pk=case.pk)


def test_limits_skip_the_holiday(demo) -> None:
    case = make_case()
    # Three working days after 30 Sep: 8, 9 and 10 Oct (a make-up Saturday).
    assert case.resolve_due_at == bj(10, 10, 17, 30)
    assert case.accept_due_at == bj(9, 30, 11, 0)


def test_sweep_warns_then_escalates_once(demo, settings) -> None:
    settings.GONGZHI_WARN_BEFORE_HOURS = 4
    case = make_case()
    s.case_start(case=case, actor=User.objects.get(username="wuye"), now=bj(9, 30, 11))
    # Seven calendar days later, in the middle of the holiday: nothing is due.
    assert str(s.case_sweep(now=bj(10, 7, 23))).startswith("预警 0 件，超时上报 0 件")
    before = snapshot()
    # Within four hours of the limit: one warning, and only one.
    result = s.case_sweep(now=bj(10, 10, 14))
    assert result.warned == 1
    assert Case.objects.get(pk=case.pk).warned_at is not None
    s.case_sweep(now=bj(10, 10, 14, 5))
    assert snapshot()[0] == before[0] + 1
    # Past the limit: escalated to the street's office, with a delay record.
    result = s.case_sweep(now=bj(10, 10, 18))
    assert result.escalated == 1
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.ESCALATED
    assert case.level == demo.jurisdictions["嘉祥街道"]
    record = Accountability.objects.get(case=case)
    assert record.kind == "delay" and record.unit == demo.units["pc:鸿泰"]
    assert Notification.objects.filter(case=case, jurisdiction=case.level).exists()
    after = snapshot()
    # Idempotent: the same run again changes nothing more.
    s.case_sweep(now=bj(10, 10, 18))
    assert snapshot() == after


def test_one_pass_handles_every_due_case_batch_after_batch(demo, settings) -> None:
    # Issue 12: a pass is not capped at one batch; after an outage it catches up, reading
    # the due rows in order of their limit, a batch at a time, each row once.
    settings.GONGZHI_WARN_BEFORE_HOURS = 4
    wuye = User.objects.get(username="wuye")
    cases = [make_case() for _ in range(5)]
    for case in cases:
        s.case_start(case=case, actor=wuye, now=bj(9, 30, 11))
    assert s.case_sweep(now=bj(10, 10, 14), batch=2).warned == 5
    before = snapshot()
    assert s.case_sweep(now=bj(10, 10, 14, 5), batch=2).warned == 0
    assert snapshot() == before
    result = s.case_sweep(now=bj(10, 10, 18), batch=2)
    assert result.escalated == 5
    assert Case.objects.filter(pk__in=[c.pk for c in cases], state=State.ESCALATED).count() == 5
    assert Accountability.objects.filter(case__in=cases, kind="delay").count() == 5
    after = snapshot()
    again = s.case_sweep(now=bj(10, 10, 18), batch=2)
    assert (again.escalated, again.supervised, again.warned) == (0, 0, 0)
    assert snapshot() == after


def test_a_pass_that_loses_the_race_for_a_delay_record_goes_on(demo, monkeypatch) -> None:
    # Two passes overlap (a catch-up pass longer than the beat's minute): both read the
    # same breached case; the one whose delay record hits the other's key records
    # nothing and carries on instead of failing the pass.
    case = make_case()
    s.case_sweep(now=bj(10, 10, 18))
    assert Accountability.objects.filter(case=case, kind="delay").count() == 1
    key = Accountability.objects.get(case=case, kind="delay").key
    from django.db.models import QuerySet

    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # as if read before it existed
    from gongzhi.cases.services.events import delay

    again = Case.objects.get(pk=case.pk)
    assert delay(again, "办结", again.resolve_due_at, key, bj(10, 10, 18)) is None
    assert Accountability.objects.filter(case=case, kind="delay").count() == 1


def test_the_escalation_ladder_climbs_to_the_top_then_the_top_supervises(demo) -> None:
    # Issue 7 defect 2: an escalated case has the new level's limit; when that office
    # lets it pass too, the case climbs again (004 三(四)), up to the top level, whose
    # office supervises it.
    case = make_case()
    s.case_sweep(now=bj(10, 10, 18))
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.ESCALATED and case.level == demo.jurisdictions["嘉祥街道"]
    assert case.resolve_due_at is not None and case.resolve_due_at > bj(10, 10, 18)
    street_due = case.resolve_due_at
    assert s.case_sweep(now=street_due - dt.timedelta(minutes=1)).escalated == 0
    assert s.case_sweep(now=street_due + dt.timedelta(minutes=1)).escalated == 1
    case = Case.objects.get(pk=case.pk)
    assert case.level == demo.county and case.escalation_count == 2
    assert case.resolve_due_at is not None
    county_due = case.resolve_due_at
    result = s.case_sweep(now=county_due + dt.timedelta(minutes=1))
    assert result.escalated == 0 and result.supervised == 1
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.ESCALATED and case.resolve_due_at is None
    assert case.breached_at is not None
    s.case_sweep(now=county_due + dt.timedelta(days=30))
    assert case.events.filter(action="supervise").count() == 1
    assert case.events.filter(action="escalate").count() == 2


def test_county_breach_is_supervised_at_the_county(demo) -> None:
    case = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="擅自改变房屋结构",
        description="拆承重墙",
        matter_code="JX-03-01",  # county housing bureau; no office above the county
        now=START,
    )
    result = s.case_sweep(now=bj(10, 9, 9))
    assert result.supervised == 1
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.DISPATCHED and case.breached_at is not None
    assert case.events.filter(action="supervise").count() == 1
    assert s.case_sweep(now=bj(10, 9, 9)).supervised == 0


def test_sweep_command_runs_once(demo) -> None:
    with time_machine.travel(bj(10, 13, 18), tick=False):
        make_case_at = s.case_register(
            channel="12345",
            estate="JX-E001",
            title="x",
            description="y",
            matter_code="JX-15-a",
            now=START,
        )
        out = StringIO()
        call_command("sweep", stdout=out)
        assert "超时上报 1 件" in out.getvalue()
        assert Case.objects.get(pk=make_case_at.pk).state == State.ESCALATED
        out = StringIO()
        call_command("sweep", stdout=out)
        assert "超时上报 0 件" in out.getvalue()


def test_feedback_without_rating_closes_after_the_rating_period(demo, settings) -> None:
    settings.GONGZHI_RATING_DAYS = 7
    case = make_case()
    wuye, office = User.objects.get(username="wuye"), User.objects.get(username="office")
    with time_machine.travel(bj(10, 8, 10), tick=False):
        s.case_handle(case=case, actor=wuye, result="已清理")
        s.case_feedback(case=Case.objects.get(pk=case.pk), actor=office)
    assert s.case_sweep(now=bj(10, 14, 10)).closed_unrated == 0
    assert s.case_sweep(now=bj(10, 15, 11)).closed_unrated == 1
    assert Case.objects.get(pk=case.pk).state == State.CLOSED


def test_celery_task_runs_the_sweep(demo) -> None:
    from gongzhi.cases.tasks import sweep

    assert "预警" in sweep.apply().get()


def test_no_first_response_in_time_is_recorded_once(demo) -> None:
    case = make_case()  # accepted 30 Sep 10:00; JX-15-a wants a response within 1wd
    assert Case.objects.get(pk=case.pk).response_due_at == bj(10, 8, 17, 30)
    result = s.case_sweep(now=bj(10, 8, 18))
    assert result.late_response == 1
    record = Accountability.objects.get(case=case, kind="delay")
    assert "响应时限" in record.reason
    assert s.case_sweep(now=bj(10, 8, 19)).late_response == 0
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_a_response_in_time_leaves_no_record(demo) -> None:
    case = make_case()
    s.case_start(case=case, actor=User.objects.get(username="wuye"), now=bj(10, 8, 9))
    assert s.case_sweep(now=bj(10, 8, 18)).late_response == 0


def test_escalation_limits_setting_is_checked_at_start(settings: Any) -> None:
    from gongzhi.cases.checks import escalation_limits

    settings.GONGZHI_ESCALATION_LIMITS = {"street": "5wd", "county": "10wd"}
    assert escalation_limits() == []
    settings.GONGZHI_ESCALATION_LIMITS = {"planet": "3d", "county": "soon"}
    assert sorted(str(m.id) for m in escalation_limits()) == ["gongzhi.E101", "gongzhi.E102"]

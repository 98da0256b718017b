"""Each tier's moves and limits (002 (二)第二–五条) through the services: a daily problem
referred to the residents' committee and made major; a major problem proposed and answered;
beyond the three parties only after the street blew the whistle on the linked case; a
historical problem nobody may pass on; stale versions and wrong sides refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.cases.models import Case, CaseTask
from gongzhi.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from gongzhi.problems import selectors, workflow
from gongzhi.problems import services as s
from gongzhi.problems.models import Note, Problem, State, Tier

pytestmark = pytest.mark.django_db


def _raise(demo: Any, tier: str, user: str = "juweihui", estate: str = "JX-E001") -> Problem:
    return s.problem_raise(
        actor=demo.users[user], estate=demo.estates[estate], tier=tier, title="单元门禁损坏"
    )


def _move(demo: Any, p: Problem, move: str, user: str = "juweihui", text: str = "意见") -> Problem:
    return s.problem_transition(
        actor=demo.users[user], problem=p, move=move, expected_version=p.version, text=text
    )


def test_daily_referred_then_major_with_limits(demo: Any, at_demo_now: Any) -> None:
    p = _raise(demo, Tier.DAILY, user="wuye")
    assert p.state == State.OPEN
    assert p.due_at == pytest.approx(
        timezone.now() + dt.timedelta(days=15), abs=dt.timedelta(minutes=1)
    )
    with pytest.raises(InvalidInput) as exc:
        _move(demo, p, "refer", user="wuye", text=" ")
    assert exc.value.errors[0].field == "text" and "初步意见" in exc.value.errors[0].message
    p = _move(demo, p, "refer", user="wuye", text="建议更换门禁，费用待定")
    assert p.state == State.REFERRED and p.notes.get().kind == Note.Kind.FIRST_OPINION
    # The property company may not turn it into a major problem; the residents' committee may.
    with pytest.raises(PermissionDenied):
        _move(demo, p, "to_major", user="wuye")
    assert "to_major" in workflow.offered(p, {"rc", "three_party"})
    p = _move(demo, p, "to_major")
    assert (p.tier, p.state) == (Tier.MAJOR, State.INVESTIGATING)
    assert p.due_at == pytest.approx(
        timezone.now() + dt.timedelta(days=30), abs=dt.timedelta(minutes=1)
    )
    # Past its limit it is overdue, and listed so.
    at_demo_now.shift(dt.timedelta(days=31))
    assert selectors.is_overdue(p)
    assert p in selectors.overdue(Problem.objects.all())
    p = _move(demo, p, "propose", text="分期改造")
    p = _move(demo, p, "resolve", user="office", text="已改造完成")
    assert p.state == State.RESOLVED and p.closed_at is not None and not selectors.is_overdue(p)
    assert workflow.offered(p, {"rc", "office"}) == []


def test_daily_agreed_opinion_and_wrong_state(demo: Any) -> None:
    p = _raise(demo, Tier.DAILY)
    with pytest.raises(DomainError, match="不能确认已解决"):
        _move(demo, p, "resolve")
    p = _move(demo, p, "agree", text="物业三日内修复")
    assert p.state == State.AGREED
    with pytest.raises(DomainError, match="没有这项操作"):
        _move(demo, p, "propose")


def test_stale_version_and_other_county_refused(demo: Any) -> None:
    p = _raise(demo, Tier.DAILY)
    _move(demo, p, "agree")
    stale = Problem.objects.get(pk=p.pk)
    stale.version = 1  # as read before the move
    with pytest.raises(Conflict):
        s.problem_transition(
            actor=demo.users["juweihui"],
            problem=stale,
            move="resolve",
            expected_version=1,
            text="x",
        )
    for user in ("cb-office", "resident", "auditor"):
        with pytest.raises(PermissionDenied):
            _raise(demo, Tier.DAILY, user=user)


def test_beyond_needs_the_streets_whistle_on_the_linked_case(demo: Any) -> None:
    p = _raise(demo, Tier.MAJOR)
    p = _move(demo, p, "to_beyond")
    assert (p.tier, p.state) == (Tier.BEYOND, State.CONFERENCE)
    p = _move(demo, p, "suggest", text="提请街道协调供电、住建部门")
    with pytest.raises(DomainError, match="请先关联案件"):
        _move(demo, p, "ask_whistle")
    case = Case.objects.filter(estate__code="JX-E001").order_by("id").first()
    assert case is not None
    with pytest.raises(InvalidInput):
        s.problem_link_case(
            actor=demo.users["juweihui"], problem=p, expected_version=p.version, case_number="X-1"
        )
    p = s.problem_link_case(
        actor=demo.users["juweihui"], problem=p, expected_version=p.version, case_number=case.number
    )
    p = _move(demo, p, "ask_whistle")
    assert p.state == State.ASKED
    CaseTask.objects.filter(case=case, kind=CaseTask.Kind.WHISTLE).delete()
    with pytest.raises(DomainError, match="尚未由街道吹哨"):
        _move(demo, p, "whistled", user="jiedao")
    CaseTask.objects.create(case=case, unit=demo.units["street:嘉祥街道"], kind="whistle")
    with pytest.raises(PermissionDenied):
        _move(demo, p, "whistled")  # the residents' committee does not record the whistle
    p = _move(demo, p, "whistled", user="jiedao")
    assert p.state == State.WHISTLED


def test_historical_cannot_be_passed_on(demo: Any) -> None:
    p = _raise(demo, Tier.HISTORICAL)
    with pytest.raises(DomainError, match="不得相互推诿"):
        s.problem_pass_on(
            actor=demo.users["office"],
            problem=p,
            expected_version=p.version,
            lead_party="property_company",
            reason="交物业处理",
        )
    with pytest.raises(DomainError, match="不得相互推诿"):
        _move(demo, p, "return_case", user="office")
    assert "pass_on" not in workflow.offered(p, {"office", "rc", "three_party", "street"})
    p = _move(demo, p, "report_up", text="已书面反映")
    p = _move(demo, p, "explain", user="wuye", text="三方共同说明原因")
    p = _move(demo, p, "answer", user="office", text="有关部门答复")
    assert p.state == State.EXPLAINED
    assert [n.kind for n in p.notes.all()] == ["progress", "explanation", "answer"]
    # Other tiers may pass it on, with a reason.
    d = _raise(demo, Tier.DAILY)
    d = s.problem_pass_on(
        actor=demo.users["juweihui"],
        problem=d,
        expected_version=d.version,
        lead_party="property_company",
        reason="属物业服务范围",
    )
    assert d.lead_party == "property_company"

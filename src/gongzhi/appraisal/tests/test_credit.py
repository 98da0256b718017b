"""Credit records, scores and the red/black list, through the services: the demo's
three quarters of 赤壁, the three-periods-running rule at its edges, expiry, objections
and ties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongzhi.appraisal import selectors
from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import CreditPolicy, CreditRecord, CreditStanding
from gongzhi.appraisal.periods import Period
from gongzhi.cases.models import Accountability, Case
from gongzhi.common.errors import DomainError, NotFound, PermissionDenied
from gongzhi.common.models import AuditEvent
from gongzhi.org.models import Unit, User

pytestmark = pytest.mark.django_db
Q = Period("quarter", 2026, 3)


def _chibi() -> CreditPolicy:
    return CreditPolicy.objects.get(jurisdiction__code="421281000000")


def _by_name(rows: list[selectors.RankRow]) -> dict[str, selectors.RankRow]:
    return {r.company.name: r for r in rows}


def _user(name: str) -> User:
    return User.objects.get(username=name)


def test_the_demo_rewards_the_top_company_and_bars_the_bottom_one(demo: Any) -> None:
    standings = {(st.company.name, st.kind): st for st in CreditStanding.objects.all()}
    assert set(standings) == {
        ("赤壁宏达物业服务有限公司", CreditStanding.Kind.REWARD),
        ("赤壁顺安物业服务有限公司", CreditStanding.Kind.BAR),
    }
    bar = standings[("赤壁顺安物业服务有限公司", CreditStanding.Kind.BAR)]
    assert (bar.starts_on, bar.ends_on, bar.exposed) == (
        dt.date(2026, 10, 1),
        dt.date(2027, 9, 30),
        True,
    )
    reward = standings[("赤壁宏达物业服务有限公司", CreditStanding.Kind.REWARD)]
    assert reward.amount == 50000
    assert reward.periods == ["2026Q1", "2026Q2", "2026Q3"]
    barred = selectors.standing_of(bar.company, dt.date(2027, 9, 30))
    assert (barred.kind, barred.until) == ("barred", dt.date(2027, 9, 30))
    assert selectors.standing_of(bar.company, dt.date(2027, 10, 1)).kind == "normal"
    assert selectors.standing_of(reward.company, dt.date(2026, 12, 1)).kind == "rewarded"


def test_the_ranking_of_a_quarter_follows_the_records(demo: Any) -> None:
    rows = _by_name(selectors.ranking(_chibi(), Q))
    assert rows["赤壁宏达物业服务有限公司"].score == 111  # 100 + award 5 + trainings 6
    assert rows["赤壁顺安物业服务有限公司"].score == 90  # 100 − penalty 10
    assert rows["赤壁宏达物业服务有限公司"].band == "red"
    assert rows["赤壁顺安物业服务有限公司"].band == "black"
    assert sum(1 for r in rows.values() if r.band == "red") == 5
    assert sum(1 for r in rows.values() if r.band == "black") == 5


def test_two_periods_running_earn_nothing(demo: Any) -> None:
    """2026Q2 closes a run of Q2, Q1 and 2025Q4; 2025Q4 has no records, so every
    company ties and no list exists: nobody has three periods running."""
    close = s.credit_period_close(policy=_chibi(), period="2026Q2", actor=_user("cb-office"))
    assert close.standings.count() == 0
    assert selectors.ranking(_chibi(), Period("quarter", 2025, 4))[0].band == ""


def test_exactly_three_periods_running_with_a_shorter_streak_rule(demo: Any) -> None:
    policy = _chibi()
    policy.streak = 2
    policy.save()
    found = selectors.streaks(policy, Period("quarter", 2026, 2))
    # Q1 and Q2: the top five share 宏达 and 佳和; the bottom five 康居, 金桂 and 顺安.
    assert {u.name for u in found["red"]} == {
        "赤壁宏达物业服务有限公司",
        "赤壁佳和物业管理有限公司",
    }
    assert {u.name for u in found["black"]} == {
        "赤壁康居物业服务有限公司",
        "赤壁金桂物业管理有限公司",
        "赤壁顺安物业服务有限公司",
    }


def test_closing_a_period_twice_or_before_it_ends_is_refused(demo: Any) -> None:
    office = _user("cb-office")
    with pytest.raises(DomainError, match="已经结算"):
        s.credit_period_close(policy=_chibi(), period="2026Q3", actor=office)
    with pytest.raises(DomainError):
        s.credit_period_close(policy=_chibi(), period="2030Q1", actor=office)


def test_a_record_counts_until_it_expires(demo: Any) -> None:
    policy = _chibi()
    k = Unit.objects.get(name="赤壁顺安物业服务有限公司")
    penalty = CreditRecord.objects.get(company=k, rule__code="penalty")
    assert penalty.expires_on == dt.date(2027, 1, 15)  # 365 days after 2026-01-15
    assert selectors.scores(policy, Period("quarter", 2026, 4), [k])[k.pk].total == 90
    assert selectors.scores(policy, Period("quarter", 2027, 1), [k])[k.pk].total == 100
    # A training counts only in its own quarter.
    b = Unit.objects.get(name="赤壁佳和物业管理有限公司")
    q1 = selectors.scores(policy, Period("quarter", 2026, 1), [b])[b.pk]
    assert q1.total == 106
    q2 = selectors.scores(policy, Period("quarter", 2026, 2), [b])[b.pk]
    assert [line.rule.code for line in q2.lines] == ["conference", "training"]


def test_caps_clamp_an_item_per_period(demo: Any) -> None:
    a = Unit.objects.get(name="赤壁宏达物业服务有限公司")
    s.credit_record_add(
        company=a,
        rule_code="training",
        occurred_on=dt.date(2026, 9, 20),
        note="第四次培训",
        actor=_user("cb-office"),
    )
    score = selectors.scores(_chibi(), Q, [a])[a.pk]
    training = next(line for line in score.lines if line.rule.code == "training")
    assert (training.raw, training.counted, training.capped) == (8, 6, True)
    assert score.total == 111


def test_an_upheld_objection_removes_the_points(demo: Any) -> None:
    a = Unit.objects.get(name="赤壁宏达物业服务有限公司")
    office, company = _user("cb-office"), _user("cb-wy")
    record = s.credit_record_add(
        company=a,
        rule_code="penalty",
        occurred_on=dt.date(2026, 8, 1),
        note="未按规定公示收费标准",
        source_ref="赤市监罚〔2026〕9号",
        actor=office,
    )
    assert selectors.scores(_chibi(), Q, [a])[a.pk].total == 101
    with pytest.raises(PermissionDenied):
        s.credit_objection_raise(record=record, reason="不服", actor=office)
    objection = s.credit_objection_raise(record=record, reason="已公示，有照片为证", actor=company)
    with pytest.raises(DomainError, match="待裁定"):
        s.credit_objection_raise(record=record, reason="再次提出", actor=company)
    with pytest.raises(PermissionDenied):
        s.credit_objection_rule(objection=objection, upheld=True, reason="自裁", actor=company)
    s.credit_objection_rule(objection=objection, upheld=True, reason="核实已公示", actor=office)
    record.refresh_from_db()
    assert record.state == CreditRecord.State.WITHDRAWN
    assert selectors.scores(_chibi(), Q, [a])[a.pk].total == 111
    with pytest.raises(DomainError):
        s.credit_objection_rule(objection=objection, upheld=False, reason="再裁", actor=office)
    actions = set(
        AuditEvent.objects.filter(action__startswith="appraisal.").values_list("action", flat=True)
    )
    assert {"appraisal.record_withdraw", "appraisal.objection_rule"} <= actions


def test_a_rejected_objection_keeps_the_points(demo: Any) -> None:
    k = Unit.objects.get(name="赤壁顺安物业服务有限公司")
    objection = CreditRecord.objects.get(company=k, rule__code="penalty").objections.get()
    s.credit_objection_rule(
        objection=objection, upheld=False, reason="整改不影响处罚事实", actor=_user("cb-office")
    )
    assert selectors.scores(_chibi(), Q, [k])[k.pk].total == 90


def test_companies_tied_at_the_boundary_are_all_on_the_list(demo: Any) -> None:
    """In 2026Q3 恒通 is fifth with 101; 万家 (100) gets three trainings and a criticism
    (+1) and ties it: both are on the red list, six companies."""
    e = Unit.objects.get(name="赤壁万家物业服务有限公司")
    office = _user("cb-office")
    for day in (2, 9, 16):
        s.credit_record_add(
            company=e,
            rule_code="training",
            occurred_on=dt.date(2026, 9, day),
            note="培训",
            actor=office,
        )
    s.credit_record_add(
        company=e,
        rule_code="conference",
        occurred_on=dt.date(2026, 9, 20),
        note="通报",
        actor=office,
    )
    rows = _by_name(selectors.ranking(_chibi(), Q))
    assert rows["赤壁万家物业服务有限公司"].rank == rows["赤壁恒通物业管理有限公司"].rank == 5
    assert sorted(r.company.name for r in rows.values() if r.band == "red") == sorted(
        [
            "赤壁宏达物业服务有限公司",
            "赤壁康居物业服务有限公司",
            "赤壁金桂物业管理有限公司",
            "赤壁正阳物业服务有限公司",
            "赤壁恒通物业管理有限公司",
            "赤壁万家物业服务有限公司",
        ]
    )


def test_collect_is_idempotent_and_counts_accountability(demo: Any) -> None:
    a = Unit.objects.get(name="赤壁宏达物业服务有限公司")
    case = Case.objects.filter(number__startswith="421281").order_by("pk").first()
    assert case is not None
    acc = Accountability.objects.create(
        unit=a, case=case, kind=Accountability.Kind.BUCK_PASSING, reason="推诿", key="t:1"
    )
    first = s.credit_collect()
    assert first.added.get("accountability.buck_passing") == 1
    assert s.credit_collect().total == 0
    record = CreditRecord.objects.get(accountability=acc)
    assert (record.points, record.case_id, record.recorded_by) == (-8, case.pk, None)


def test_one_county_neither_reads_nor_records_the_other(demo: Any) -> None:
    from gongzhi.appraisal import access

    jx_office = _user("office")
    a = Unit.objects.get(name="赤壁宏达物业服务有限公司")
    with pytest.raises(NotFound):
        access.company_for(jx_office, a.pk)
    with pytest.raises(PermissionDenied):
        s.credit_record_add(
            company=a,
            rule_code="penalty",
            occurred_on=dt.date(2026, 8, 1),
            note="x",
            actor=jx_office,
        )
    assert not access.readable_companies(jx_office).filter(pk=a.pk).exists()
    assert access.readable_companies(_user("cb-wy")).get() == a


def test_manual_input_is_checked_field_by_field(demo: Any) -> None:
    from gongzhi.common.errors import InvalidInput

    a = Unit.objects.get(name="赤壁宏达物业服务有限公司")
    with pytest.raises(InvalidInput) as err:
        s.credit_record_add(
            company=a,
            rule_code="case.satisfied",
            occurred_on=dt.date(2099, 1, 1),
            note=" ",
            actor=_user("cb-office"),
        )
    assert {e.field for e in err.value.errors} == {"rule", "occurred_on", "note"}


def test_a_record_may_name_the_company_s_project_manager(demo: Any) -> None:
    from gongzhi.common.errors import InvalidInput
    from gongzhi.org.services import person_create, post_assign

    a = Unit.objects.get(name="赤壁宏达物业服务有限公司")
    other = Unit.objects.get(name="赤壁顺安物业服务有限公司")
    manager = person_create(name="项目经理甲")
    post_assign(
        unit=a, person=manager, role="member", start_date=dt.date(2026, 1, 1), title="项目负责人"
    )
    office = _user("cb-office")
    record = s.credit_record_add(
        company=a,
        rule_code="award",
        occurred_on=dt.date(2026, 9, 1),
        note="表彰",
        manager=manager,
        actor=office,
    )
    assert record.manager == manager
    with pytest.raises(InvalidInput) as err:
        s.credit_record_add(
            company=other,
            rule_code="award",
            occurred_on=dt.date(2026, 9, 1),
            note="表彰",
            manager=manager,
            actor=office,
        )
    assert [e.field for e in err.value.errors] == ["manager"]

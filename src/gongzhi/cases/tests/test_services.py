"""The case workflow through its services: every move of the table, each refusal, joint
handling, the whistle, the six-step procedure, ratings and appeals."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image

from gongzhi.cases import services as s
from gongzhi.cases.models import (
    Accountability,
    Case,
    CaseEvent,
    CaseTask,
    EnforcementStep,
    Notification,
    State,
)
from gongzhi.cases.workflow import MOVES
from gongzhi.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Beijing


def u(name: str) -> User:
    return User.objects.get(username=name)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("estate__community", "lead_unit", "level").get(pk=case.pk)


def register(**kw: Any) -> Case:
    args: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道无人打扫",
        "description": "3号楼楼道垃圾一周无人清理",
        "matter_code": "JX-15-a",
        "reporter_name": "王秀英",
        "reporter_phone": "13905371234",
        "now": NOW,
    }
    args.update(kw)
    return s.case_register(**args)


def jpeg() -> s.Upload:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, format="JPEG")
    return s.Upload(name="scene.jpg", content=buf.getvalue())


def test_register_routes_to_the_estate_company_and_numbers_the_ledger(demo) -> None:
    case = register()
    assert case.state == State.DISPATCHED
    assert case.lead_unit == demo.units["pc:鸿泰"]
    assert case.level == demo.jurisdictions["建设路社区"]
    assert case.number.startswith("370829-2026-")
    other = register(title="又一件")
    assert int(other.number[-6:]) == int(case.number[-6:]) + 1
    assert case.accept_due_at and case.resolve_due_at and case.accept_due_at < case.resolve_due_at
    assert [e.action for e in case.events.all()] == ["register", "dispatch"]
    assert Notification.objects.filter(case=case, unit=demo.units["pc:鸿泰"]).exists()


def test_property_matter_without_company_goes_to_the_street(demo) -> None:
    case = register(estate="JX-E003")
    assert case.lead_unit == demo.units["street:嘉祥街道"]
    assert any("无物业服务企业" in r for r in case.route_reasons)


def test_no_matter_waits_on_the_office_desk(demo) -> None:
    case = register(matter_code="", channel="web")
    assert case.state == State.REGISTERED
    assert case.lead_unit is None
    assert case.level == demo.county
    s.case_dispatch(case=fresh(case), actor=u("office"), matter_code="JX-04-a", now=NOW)
    case = fresh(case)
    assert case.state == State.DISPATCHED
    assert case.lead_unit == demo.units["urban_enforcement"]


def test_idempotency_key_returns_the_same_case(demo) -> None:
    first = register(idempotency_key="hotline-1")
    again = register(idempotency_key="hotline-1")
    assert again.pk == first.pk
    assert Case.objects.filter(idempotency_key="sys:hotline-1").count() == 1


def test_idempotency_key_with_another_body_is_refused(demo) -> None:
    register(idempotency_key="hotline-1")
    with pytest.raises(InvalidInput) as err:
        register(idempotency_key="hotline-1", title="不同标题")
    assert err.value.errors[0].field == "idempotency_key"


def test_idempotency_keys_are_scoped_to_the_caller(demo) -> None:
    # The hotline's key, sent by a resident, registers the resident's own report
    # (issue 7 defect 3, issue 8 defect 10).
    hotline = register(idempotency_key="k-1", actor=u("dispatcher"))
    mine = register(idempotency_key="k-1", actor=u("resident"), channel="web", title="我的诉求")
    assert mine.pk != hotline.pk
    assert mine.reporter_user == u("resident")


def test_bad_input_lists_every_field_and_writes_nothing(demo) -> None:
    before = Case.objects.count()
    with pytest.raises(InvalidInput) as err:
        register(
            estate="NOPE",
            title="",
            description="",
            channel="pigeon",
            reporter_phone="12ab",
            urgency="now",
        )
    fields = {e.field for e in err.value.errors}
    assert fields == {"estate", "title", "description", "channel", "reporter_phone", "urgency"}
    assert Case.objects.count() == before


def test_unknown_matter_is_refused(demo) -> None:
    with pytest.raises(InvalidInput) as err:
        register(matter_code="JX-99-z")
    assert err.value.errors[0].field == "matter_code"


def test_uploads_are_checked_by_content_not_name(demo) -> None:
    fake = s.Upload(name="photo.jpg", content=b"MZ\x90\x00 not an image")
    with pytest.raises(InvalidInput) as err:
        register(uploads=[fake])
    assert "不是图片" in err.value.errors[0].message
    case = register(uploads=[jpeg(), s.Upload(name="x.bin", content=b"%PDF-1.4\n%%EOF")])
    kinds = sorted(case.attachments.values_list("kind", flat=True))
    assert kinds == ["pdf", "photo"]


def test_the_happy_path_to_a_satisfied_close(demo) -> None:
    case = register()
    s.case_accept(case=case, actor=u("wuye"), now=NOW + dt.timedelta(minutes=30))
    s.case_start(case=case, actor=u("wuye"), reason="到场", now=NOW + dt.timedelta(hours=1))
    s.case_handle(case=case, actor=u("wuye"), result="已清理", now=NOW + dt.timedelta(hours=3))
    assert case.state == State.HANDLED
    s.case_feedback(case=case, actor=u("office"), now=NOW + dt.timedelta(hours=4))
    s.case_rate(
        case=case,
        actor=u("office"),
        rating="satisfied",
        now=NOW + dt.timedelta(hours=5),
    )
    case = fresh(case)
    assert case.state == State.CLOSED and case.rating == "satisfied"
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["register", "dispatch", "accept", "start", "handle", "feedback", "rate"]
    accept = case.events.get(action="accept")
    assert accept.extra["on_time"] is True and accept.unit_id == case.lead_unit_id


def test_a_move_missing_from_the_table_is_refused(demo) -> None:
    case = register()
    with pytest.raises(DomainError, match="不能办结"):
        s.case_handle(case=case, actor=u("wuye"), result="x")
    with pytest.raises(DomainError, match="未知操作"):
        s.case_transition(case=case, move="teleport", actor=u("office"))


def test_only_the_right_side_may_move(demo) -> None:
    case = register()
    with pytest.raises(PermissionDenied):
        s.case_accept(case=case, actor=u("zfj"))  # not the lead unit
    with pytest.raises(PermissionDenied):
        s.case_accept(case=case, actor=u("auditor"))
    assert fresh(case).state == State.DISPATCHED


def test_two_people_at_once_exactly_one_wins(demo) -> None:
    case = register()
    first, second = fresh(case), fresh(case)
    s.case_accept(case=first, actor=u("wuye"))
    with pytest.raises(Conflict):
        s.case_accept(case=second, actor=u("wuye"))
    with pytest.raises(Conflict):
        s.case_start(case=fresh(case), actor=u("wuye"), expected_version=case.version)
    assert fresh(case).state == State.ACCEPTED
    assert fresh(case).events.filter(action="accept").count() == 1


def test_return_needs_a_reason_and_a_catalog_entry(demo) -> None:
    case = register(matter_code="JX-06-01", estate="JX-E002")
    with pytest.raises(InvalidInput) as err:
        s.case_return(case=case, actor=u("scj"), reason="", claimed_matter_code="JX-99")
    assert {e.field for e in err.value.errors} == {"reason", "claimed_matter_code"}
    s.case_return(case=case, actor=u("scj"), reason="属价格部门", claimed_matter_code="JX-07-a")
    assert case.state == State.RETURNED and case.return_count == 1


def test_office_overrules_a_return_with_a_buck_passing_record(demo) -> None:
    case = register(matter_code="JX-06-01", estate="JX-E002")
    scj_unit = case.lead_unit
    s.case_return(case=case, actor=u("scj"), reason="属价格部门", claimed_matter_code="JX-07-a")
    s.case_overrule(case=fresh(case), actor=u("office"), reason="收费公示属市场监管")
    case = fresh(case)
    assert case.state == State.DISPATCHED and case.lead_unit == scj_unit
    record = Accountability.objects.get(case=case)
    assert record.kind == "buck_passing" and record.unit == scj_unit


def test_office_reroutes_a_return_to_another_unit_without_a_record(demo) -> None:
    case = register(matter_code="JX-06-01", estate="JX-E002")
    s.case_return(case=case, actor=u("scj"), reason="属价格部门", claimed_matter_code="JX-07-a")
    s.case_dispatch(case=fresh(case), actor=u("office"), matter_code="JX-07-a")
    case = fresh(case)
    assert case.lead_unit == demo.units["development_reform"]
    assert not Accountability.objects.filter(case=case).exists()


def test_transfer_goes_straight_to_the_receiver_and_the_result_comes_back(demo) -> None:
    case = register(matter_code="JX-04-a")
    s.case_accept(case=case, actor=u("zfj"), now=NOW)
    s.case_transfer(
        case=case, actor=u("zfj"), to_unit=demo.units["housing_bureau"], reason="涉及结构安全"
    )
    case = fresh(case)
    assert case.state == State.DISPATCHED
    assert case.lead_unit == demo.units["housing_bureau"]
    assert case.transferred_from == demo.units["urban_enforcement"]
    # The receiver must act at once: two working hours, well inside the normal limit.
    assert case.resolve_due_at is not None
    assert case.accept_due_at is not None and case.accept_due_at < case.resolve_due_at
    s.case_accept(case=case, actor=u("zjj"))
    s.case_handle(case=case, actor=u("zjj"), result="已鉴定为安全")
    assert Notification.objects.filter(
        case=case, unit=demo.units["urban_enforcement"], kind="transfer_result"
    ).exists()


def test_transfer_ruled_back_records_buck_passing(demo) -> None:
    case = register(matter_code="JX-04-a")
    s.case_transfer(case=case, actor=u("zfj"), to_unit=demo.units["housing_bureau"], reason="x")
    s.case_rule_transfer(case=fresh(case), actor=u("office"), reason="违建查处属执法局")
    case = fresh(case)
    assert case.lead_unit == demo.units["urban_enforcement"]
    assert Accountability.objects.get(case=case).unit == demo.units["urban_enforcement"]


def test_joint_handling_blocks_handling_until_every_task_is_done(demo) -> None:
    case = register(matter_code="JX-04-a")
    s.case_accept(case=case, actor=u("zfj"))
    [task] = s.case_joint_request(
        case=case, actor=u("zfj"), units=[demo.units["housing_bureau"]], instructions="鉴定"
    )
    with pytest.raises(DomainError, match="协办单位尚未完成"):
        s.case_handle(case=fresh(case), actor=u("zfj"), result="拆除")
    with pytest.raises(PermissionDenied):
        s.case_task_done(case=fresh(case), task=task, actor=u("zfj"), result="代办")
    s.case_task_checkin(case=fresh(case), task=task, actor=u("zjj"))
    s.case_task_done(case=fresh(case), task=task, actor=u("zjj"), result="结构安全")
    s.case_handle(case=fresh(case), actor=u("zfj"), result="已拆除")
    assert fresh(case).state == State.HANDLED


def test_street_whistle_summons_departments_who_check_in(demo) -> None:
    case = register(estate="JX-E003", matter_code="JX-14-b", now=NOW)
    tasks = s.case_whistle(
        case=case,
        actor=u("jiedao"),
        street_unit=demo.units["street:嘉祥街道"],
        units=[demo.units["housing_bureau"], demo.units["urban_enforcement"]],
        instructions="到场会商",
        now=NOW,
    )
    assert {t.kind for t in tasks} == {CaseTask.Kind.WHISTLE}
    with pytest.raises(PermissionDenied):
        s.case_whistle(
            case=case,
            actor=u("zfj"),
            street_unit=demo.units["street:嘉祥街道"],
            units=[demo.units["housing_bureau"]],
            instructions="x",
        )
    zjj_task = next(t for t in tasks if t.unit == demo.units["housing_bureau"])
    s.case_task_checkin(
        case=fresh(case), task=zjj_task, actor=u("zjj"), now=NOW + dt.timedelta(hours=2)
    )
    with pytest.raises(DomainError, match="没有待报到的任务"):
        s.case_task_checkin(case=fresh(case), task=zjj_task, actor=u("zjj"))
    # The one who did not come is recorded by the sweep after the limit.
    result = s.case_sweep(now=NOW + dt.timedelta(hours=25))
    assert result.tasks_breached >= 1
    absent = Accountability.objects.get(case=case, kind="absent")
    assert absent.unit == demo.units["urban_enforcement"]


def test_six_step_procedure_in_order(demo) -> None:
    street = demo.units["street:嘉祥街道"]
    case = register(
        channel="patrol",
        estate="JX-E003",
        matter_code="",
        reporting_unit=street,
        is_enforcement=True,
        title="私建彩钢棚",
        actor=u("jiedao"),
    )
    assert case.state == State.ACCEPTED and case.enforcement_step == EnforcementStep.DISCOVER
    with pytest.raises(DomainError, match="先拍照"):
        s.case_enforcement_stop(case=case, actor=u("jiedao"), measures="制止")
    with pytest.raises(InvalidInput):
        s.case_enforcement_photo(case=case, actor=u("jiedao"), photos=[])
    s.case_enforcement_photo(case=case, actor=u("jiedao"), photos=[jpeg()])
    report = dict(
        receiving_unit=demo.units["urban_enforcement"],
        contact="陈晨",
        contact_phone="13805371001",
        details="院内私建彩钢棚",
        opinion="请依法查处",
        head="李国斌",
    )
    with pytest.raises(DomainError, match="再呈报"):
        s.case_enforcement_report(case=fresh(case), actor=u("jiedao"), **report)
    s.case_enforcement_stop(case=fresh(case), actor=u("jiedao"), measures="责令停止搭建")
    form = s.case_enforcement_report(case=fresh(case), actor=u("jiedao"), **report)
    case = fresh(case)
    assert case.state == State.DISPATCHED
    assert case.lead_unit == demo.units["urban_enforcement"]
    assert case.enforcement_step == EnforcementStep.REPORT
    first = form.opinions.first()
    assert first is not None and first.unit_name == street.name
    s.case_accept(case=case, actor=u("zfj"))
    s.case_report_opinion(case=case, actor=u("zfj"), opinion="立案查处", head="李西渠")
    s.case_call_police(case=fresh(case), actor=u("zfj"), reason="当事人阻挠执法")
    police = CaseTask.objects.get(case=case, kind="police")
    assert police.unit.kind_id == "police_station"
    s.case_handle(case=fresh(case), actor=u("zfj"), result="已拆除")
    assert fresh(case).enforcement_step == EnforcementStep.HANDLE
    steps = [e.action for e in case.events.all()]
    assert steps[:4] == ["register", "discover", "step_photo", "step_stop"]


def test_suspend_pauses_the_clock(demo) -> None:
    case = register(now=NOW)
    s.case_accept(case=case, actor=u("wuye"), now=NOW)
    due = fresh(case).resolve_due_at
    assert due is not None
    with pytest.raises(InvalidInput):
        s.case_suspend(case=fresh(case), actor=u("wuye"), reason="")
    s.case_suspend(case=fresh(case), actor=u("wuye"), reason="等待供水公司", now=NOW)
    s.case_resume(case=fresh(case), actor=u("wuye"), now=NOW + dt.timedelta(days=2))
    case = fresh(case)
    assert case.state == State.ACCEPTED
    assert case.resolve_due_at == due + dt.timedelta(days=2)


def test_dissatisfied_reopens_then_goes_to_review(demo, settings) -> None:
    settings.GONGZHI_REOPEN_LIMIT = 1
    case = register()

    def finish(c: Case) -> Case:
        s.case_accept(case=fresh(c), actor=u("wuye"))
        s.case_handle(case=fresh(c), actor=u("wuye"), result="处理了")
        s.case_feedback(case=fresh(c), actor=u("office"))
        return fresh(c)

    case = finish(case)
    with pytest.raises(InvalidInput):
        s.case_rate(case=case, actor=u("office"), rating="dissatisfied", reason="")
    s.case_rate(case=case, actor=u("office"), rating="dissatisfied", reason="还是脏")
    case = fresh(case)
    assert case.state == State.DISPATCHED and case.reopen_count == 1
    case = finish(case)
    s.case_rate(case=case, actor=u("office"), rating="dissatisfied", reason="依旧")
    case = fresh(case)
    assert case.state == State.REVIEW
    s.case_close(case=case, actor=u("office"), reason="经核实已按合同履行")
    assert fresh(case).state == State.CLOSED


def test_dissatisfied_rating_only_while_the_result_awaits_it(demo, settings) -> None:
    settings.GONGZHI_REOPEN_LIMIT = 1
    waiting = register(matter_code="")
    assert waiting.state == State.REGISTERED and waiting.lead_unit_id is None
    with pytest.raises(DomainError, match="不能评价"):
        s.case_rate(case=fresh(waiting), actor=u("office"), rating="dissatisfied", reason="慢")
    case = register()
    s.case_accept(case=case, actor=u("wuye"))
    s.case_handle(case=fresh(case), actor=u("wuye"), result="已清理")
    s.case_feedback(case=fresh(case), actor=u("office"))
    s.case_rate(case=fresh(case), actor=u("office"), rating="satisfied")
    events = CaseEvent.objects.filter(case=case).count()
    # Rated and closed: a second, dissatisfied rating does not reopen it.
    with pytest.raises(DomainError, match="不能评价"):
        s.case_rate(case=fresh(case), actor=u("office"), rating="dissatisfied", reason="又脏了")
    case = fresh(case)
    assert case.state == State.CLOSED and case.reopen_count == 0
    assert case.rating == "satisfied"
    assert CaseEvent.objects.filter(case=case).count() == events


def test_rating_appeal_upheld(demo) -> None:
    case = register()
    s.case_accept(case=case, actor=u("wuye"))
    s.case_handle(case=fresh(case), actor=u("wuye"), result="已清理")
    s.case_feedback(case=fresh(case), actor=u("office"))
    s.case_rate(case=fresh(case), actor=u("office"), rating="basic")
    appeal = s.case_appeal(case=fresh(case), actor=u("wuye"), reason="已按要求处理")
    with pytest.raises(PermissionDenied):
        s.case_appeal_decide(case=fresh(case), actor=u("wuye"), upheld=True, reason="x")
    s.case_appeal_decide(case=fresh(case), actor=u("office"), upheld=True, reason="理由成立")
    with pytest.raises(DomainError, match="没有待裁定的申诉"):
        s.case_appeal_decide(case=fresh(case), actor=u("office"), upheld=False, reason="再裁")
    appeal.refresh_from_db()
    assert appeal.state == "upheld"
    assert CaseEvent.objects.filter(case=case, action="appeal_upheld").exists()


def test_merge_duplicates(demo) -> None:
    first = register()
    dup = register(title="重复反映")
    s.case_merge(case=dup, into=first, actor=u("office"), reason="同一问题")
    dup = fresh(dup)
    assert dup.state == State.MERGED and dup.merged_into == first
    with pytest.raises(InvalidInput):
        s.case_merge(case=fresh(first), into=first, actor=u("office"))


def test_manual_escalation_goes_to_the_nearest_office_above(demo) -> None:
    case = register()  # community level
    s.case_escalate(case=case, actor=u("wuye"), reason="涉及多方，物业无法协调")
    case = fresh(case)
    assert case.state == State.ESCALATED
    assert case.level == demo.jurisdictions["嘉祥街道"]
    s.case_dispatch(case=case, actor=u("jiedao"), unit=demo.units["street:嘉祥街道"])
    assert fresh(case).lead_unit == demo.units["street:嘉祥街道"]
    top = register(matter_code="JX-04-a")  # county department, no office above the county
    with pytest.raises(DomainError, match="上级未设联席会议办公室"):
        s.case_escalate(case=top, actor=u("zfj"), reason="x")


def test_decision_closes_or_hands_back(demo) -> None:
    case = register(matter_code="JX-04-a")
    from gongzhi.org.models import Body

    county_body = Body.objects.filter(jurisdiction=demo.county).first()
    s.case_decision_apply(
        case=case,
        actor=u("office"),
        body=county_body,
        decision_label="第3次联席会议",
        outcome="限期拆除",
        close=True,
    )
    assert fresh(case).state == State.CLOSED
    last = fresh(case).events.last()
    assert last is not None
    assert last.actor == u("office") and last.extra["side"] == "conference"
    other = register(matter_code="", channel="web")
    with pytest.raises(DomainError):
        s.case_decision_apply(
            case=other,
            actor=None,
            body=county_body,
            decision_label="会议",
            outcome="x",
            close=False,
        )
    # A conference of another place has no authority over the case.
    elsewhere = Body(
        name="赤壁市联席会议",
        kind=Body.Kind.JOINT_CONFERENCE,
        jurisdiction=demo.jurisdictions["赤壁市"],
    )
    with pytest.raises(PermissionDenied):
        s.case_decision_apply(
            case=register(matter_code="JX-04-a"),
            actor=u("office"),
            body=elsewhere,
            decision_label="会议",
            outcome="x",
            close=True,
        )


def test_every_move_of_the_table_is_exercised_somewhere() -> None:
    # Guard: a move added to the table must come with a service and a test above.
    assert set(MOVES) == {
        "dispatch",
        "accept",
        "start",
        "return",
        "transfer",
        "escalate",
        "overrule",
        "suspend",
        "resume",
        "handle",
        "feedback",
        "send_back",
        "rate",
        "reopen",
        "review",
        "close",
        "merge",
        "decide_close",
        "decide_return",
        "incident_handle",  # test_incidents.py
        "rule_transfer",
        "report",
    }


def test_send_back_returns_to_the_unit(demo) -> None:
    case = register()
    s.case_accept(case=case, actor=u("wuye"))
    s.case_handle(case=fresh(case), actor=u("wuye"), result="处理了")
    s.case_send_back(case=fresh(case), actor=u("office"), reason="无照片凭证")
    assert fresh(case).state == State.IN_PROGRESS


def test_routing_answer_and_registered_case_agree_on_the_level(demo, client) -> None:
    # Issue 7 defect 2: they disagreed on JX-15-c at JX-E001.
    for estate, matter in (("JX-E001", "JX-15-c"), ("JX-E001", "JX-03-01"), ("JX-E003", "JX-15-a")):
        answer = client.get("/api/catalog/route", {"estate": estate, "matter": matter}).json()
        case = register(estate=estate, matter_code=matter)
        assert answer["level"]["code"] == fresh(case).level.code, (estate, matter)

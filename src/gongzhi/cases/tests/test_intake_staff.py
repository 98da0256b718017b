"""The staff intake form (003 二(十二), 004 三(一)): the 12345 dispatcher logs a call,
sees the caller's earlier cases (only where the reporter may be seen), finds the estate
by name or address, gets the router's suggestion and a duplicate warning, and attaches a
repeat call to the open case instead of registering it again. The other county's
estates and cases stay out of reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import access, selectors
from gongzhi.cases import services as s
from gongzhi.cases.models import Case, CaseCall, CaseEvent, Notification, State
from gongzhi.common.errors import Conflict, InvalidInput, PermissionDenied
from gongzhi.common.models import AuditEvent
from gongzhi.org.models import Estate, User

pytestmark = pytest.mark.django_db

PHONE = "13877776666"


def user(name: str) -> User:
    return User.objects.get(username=name)


def register(**kw: Any) -> Case:
    data: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道垃圾没清",
        "description": "3 号楼楼道垃圾没清，已经一周",
        "matter_code": "JX-15-a",
        "reporter_name": "王小明",
        "reporter_phone": PHONE,
        "actor": user("dispatcher"),
    }
    data.update(kw)
    return s.case_register(**data)


# --- services and access ------------------------------------------------------------------


def test_a_repeat_call_is_attached_with_its_caller_an_event_an_audit_row_and_a_notice(
    demo,
) -> None:
    case = register()
    version = case.version
    call = s.case_call_attach(
        case=case,
        actor=user("dispatcher"),
        channel="12345",
        caller_name="赵大妈",
        caller_phone="139-0000-1111",
        note="还是没人清理",
    )
    case.refresh_from_db()
    assert call.caller_phone == "13900001111" and call.case == case
    assert case.version == version + 1 and case.state == State.DISPATCHED
    ev = CaseEvent.objects.filter(case=case).order_by("-id").first()
    assert ev is not None and ev.action == "call" and "13900001111" not in ev.reason
    assert AuditEvent.objects.filter(
        action="case.call_attach", target_id=str(case.pk), target_type="cases.case"
    ).exists()
    assert Notification.objects.filter(case=case, kind="call", unit=case.lead_unit).exists()


def test_attaching_refuses_a_closed_case_a_bad_phone_and_the_other_county(demo) -> None:
    case = register()
    calls = CaseCall.objects.count()
    with pytest.raises(InvalidInput) as bad:
        s.case_call_attach(
            case=case, actor=user("dispatcher"), channel="12345", caller_phone="12ab"
        )
    assert [e.field for e in bad.value.errors] == ["reporter_phone"]
    Case.objects.filter(pk=case.pk).update(state=State.CLOSED)
    case.refresh_from_db()
    with pytest.raises(Conflict):
        s.case_call_attach(case=case, actor=user("dispatcher"), channel="12345")
    chibi = Case.objects.filter(estate__code__startswith="CB-", state__in=["dispatched"]).first()
    assert chibi is not None
    with pytest.raises(PermissionDenied):
        s.case_call_attach(case=chibi, actor=user("dispatcher"), channel="12345")
    with pytest.raises(PermissionDenied):
        s.case_call_attach(case=chibi, actor=user("auditor"), channel="visit")
    assert CaseCall.objects.count() == calls


def test_earlier_cases_by_phone_only_for_those_who_see_the_reporter(demo) -> None:
    case = register()
    other = register(reporter_phone="13600001111", title="另一件")
    s.case_call_attach(case=other, actor=user("office"), channel="visit", caller_phone=PHONE)
    found = access.earlier_cases_by_phone(user("dispatcher"), "138 7777 6666")
    assert {c.pk for c in found} == {case.pk, other.pk}
    # The office of the county sees them; the auditor and the other county do not.
    assert case in access.earlier_cases_by_phone(user("office"), PHONE)
    assert access.earlier_cases_by_phone(user("auditor"), PHONE) == []
    assert access.earlier_cases_by_phone(user("cb-office"), PHONE) == []
    assert access.earlier_cases_by_phone(user("dispatcher"), "12") == []


def test_duplicates_are_open_cases_of_the_same_estate_and_matter(demo) -> None:
    case = register()
    estate = Estate.objects.get(code="JX-E001")
    assert case in selectors.likely_duplicates(estate, "JX-15-a")
    Case.objects.filter(pk=case.pk).update(state=State.CLOSED)
    assert case not in selectors.likely_duplicates(estate, "JX-15-a")
    assert selectors.likely_duplicates(estate, "") == []


def test_estate_search_is_scoped_to_where_the_account_may_register(demo) -> None:
    jx = Estate.objects.get(code="JX-E001")
    assert jx in selectors.intake_estates(user("dispatcher"), jx.name[:2])
    cb = Estate.objects.filter(code__startswith="CB-").first()
    assert cb is not None
    assert selectors.intake_estates(user("dispatcher"), cb.name) == []
    assert cb in selectors.intake_estates(user("cb-office"), cb.name)
    assert selectors.intake_estates(user("auditor"), jx.name) == []


# --- the page ------------------------------------------------------------------------------


def test_the_dispatcher_logs_a_call_and_gets_the_number_and_secret(demo, login) -> None:
    client = login("dispatcher")
    before = Case.objects.count()
    page = client.get("/cases/intake/")
    assert page.status_code == 200 and "登记来电来访" in page.content.decode()
    assert 'value="12345"' in page.content.decode()
    got = client.post(
        "/cases/intake/",
        {
            "channel": "12345",
            "urgency": "urgent",
            "reporter_phone": PHONE,
            "reporter_name": "王小明",
            "estate": "JX-E001",
            "description": "楼道垃圾三天没清，气味很大\n请尽快处理",
            "matter_code": "JX-15-a",
            "form_key": "k1",
        },
    )
    assert got.status_code == 200
    html = got.content.decode()
    assert Case.objects.count() == before + 1
    case = Case.objects.order_by("-id").first()
    assert case is not None and case.registered_by == user("dispatcher")
    assert case.number in html and "track-key" in html
    assert case.title == "楼道垃圾三天没清，气味很大" and case.urgency == "urgent"
    assert case.channel == "12345" and case.state == State.DISPATCHED


def test_the_form_answers_errors_field_by_field_and_refuses_a_channel_not_granted(
    demo, login
) -> None:
    client = login("dispatcher")
    before = Case.objects.count()
    got = client.post("/cases/intake/", {"channel": "12345", "form_key": "k2"})
    assert got.status_code == 422
    html = got.content.decode()
    assert "请选择小区" in html and "请填写诉求内容" in html
    # The hotline centre takes calls, not the residents' web form.
    got = client.post(
        "/cases/intake/",
        {"channel": "web", "estate": "JX-E001", "description": "x", "form_key": "k3"},
    )
    assert got.status_code == 422 and "您只能通过以下渠道登记" in got.content.decode()
    assert Case.objects.count() == before


def test_helpers_show_history_suggestion_and_duplicate_and_attach_works(demo, login) -> None:
    earlier = register()
    before = Case.objects.count()
    client = login("dispatcher")
    caller = client.get("/cases/intake/caller/", {"reporter_phone": PHONE}).content.decode()
    assert earlier.number in caller
    estates = client.get("/cases/intake/estates/", {"q": earlier.estate.name}).content.decode()
    assert 'value="JX-E001"' in estates
    hints = client.get(
        "/cases/intake/hints/",
        {"estate": "JX-E001", "description": "楼道垃圾没清，卫生差", "matter_code": ""},
    ).content.decode()
    assert 'data-set-field="matter_code=JX-15-a"' in hints
    assert "duplicate-warning" in hints and earlier.number in hints
    assert earlier.reporter_name not in hints and PHONE not in hints
    got = client.post(
        "/cases/intake/",
        {
            "channel": "12345",
            "reporter_phone": "13900002222",
            "estate": "JX-E001",
            "description": "楼道垃圾还是没人清",
            "attach_to": earlier.number,
            "form_key": "k4",
        },
    )
    assert got.status_code == 200 and "已并入在办案件" in got.content.decode()
    assert Case.objects.count() == before
    assert CaseCall.objects.get(case=earlier).caller_phone == "13900002222"


def test_other_roles_and_the_other_county(demo, login) -> None:
    assert login("auditor").get("/cases/intake/").status_code == 403
    assert login("resident").get("/cases/intake/").status_code == 403
    chibi = Case.objects.filter(
        estate__code__startswith="CB-", state="dispatched", matter__isnull=False
    ).first()
    assert chibi is not None and chibi.matter is not None
    client = login("dispatcher")
    calls = CaseCall.objects.count()
    hints = client.get(
        "/cases/intake/hints/", {"estate": chibi.estate.code, "matter_code": chibi.matter.code}
    ).content.decode()
    assert chibi.number not in hints
    got = client.post(
        "/cases/intake/",
        {"channel": "12345", "description": "x", "attach_to": chibi.number, "form_key": "k5"},
    )
    assert got.status_code == 403 and CaseCall.objects.count() == calls
    # The other county's history stays closed to this dispatcher.
    caller = client.get(
        "/cases/intake/caller/", {"reporter_phone": chibi.reporter_phone}
    ).content.decode()
    assert chibi.number not in caller


def test_the_case_page_shows_the_repeat_caller_masked_where_the_reporter_is(demo, login) -> None:
    case = register()
    s.case_call_attach(
        case=case,
        actor=user("dispatcher"),
        channel="12345",
        caller_name="赵大妈",
        caller_phone="13900001111",
        note="还是没人清理",
    )
    office = login("office").get(f"/cases/{case.number}/").content.decode()
    assert "再次来电" in office and "13900001111" in office and "赵大妈" in office
    auditor = login("auditor").get(f"/cases/{case.number}/").content.decode()
    assert "再次来电" in auditor and "139****1111" in auditor
    assert "13900001111" not in auditor and "赵大妈" not in auditor


def test_the_intake_right_is_asked_once_per_user_object_and_estate(
    demo, django_assert_num_queries
) -> None:
    dispatcher = user("dispatcher")
    e1, e2 = Estate.objects.get(code="JX-E001"), Estate.objects.get(code="JX-E002")
    right = access.intake_right(dispatcher)
    assert right.refusal(e1, "12345") is None
    with django_assert_num_queries(1):
        # The token's narrower right shares the account's answers; a new estate is asked.
        token_right = access.intake_right(dispatcher, token=type("T", (), {"channels": []})())
        assert token_right.channels == ()
        assert access.intake_right(dispatcher).refusal(e1, "12345") is None
        assert access.intake_right(dispatcher).refusal(e2, "12345") is None
    # Another user object (the next request) asks again.
    fresh = user("dispatcher")
    with CaptureQueriesContext(connection) as queries:
        assert access.intake_right(fresh).refusal(e1, "12345") is None
    assert any('FROM "org_estate"' in q["sql"] for q in queries.captured_queries)

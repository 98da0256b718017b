"""A mass incident's closing (parties' outages) on one case: the ``incident_handle`` move
where the table allows it, an event otherwise; the reporter told through the outbox (or
not, when the caller tells them once for several cases)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services.incidents import case_incident_restored
from gongzhi.common.errors import PermissionDenied
from gongzhi.notify.models import EventType, Message

pytestmark = pytest.mark.django_db


def _case(demo: Any, phone: str) -> Case:
    return s.case_register(
        channel="12345",
        estate="JX-E002",
        title="停电了",
        description="整栋楼停电。",
        matter_code="JX-14-a",
        reporter_name="钱二",
        reporter_phone=phone,
        actor=demo.users["dispatcher"],
    )


def test_handled_where_the_table_allows_else_noted(demo: Any) -> None:
    dispatched = _case(demo, "13800000011")
    assert dispatched.state == "dispatched"
    got = case_incident_restored(
        case=dispatched, actor=demo.users["office"], incident="停电", result="已恢复",
        handle=True,
    )  # fmt: skip
    dispatched.refresh_from_db()
    assert got == "handled" and dispatched.state == "handled" and "已恢复" in dispatched.result
    # Not to be handled (the caller says so): an event, the state unchanged, still told.
    other = _case(demo, "13800000012")
    got = case_incident_restored(
        case=other, actor=demo.users["office"], incident="停电", result="已恢复", handle=False
    )
    other.refresh_from_db()
    assert got == "noted" and other.state == "dispatched"
    assert CaseEvent.objects.filter(case=other, action="incident_restored").exists()
    # Told once by the caller: no message for this one.
    quiet = _case(demo, "13800000013")
    case_incident_restored(
        case=quiet, actor=None, incident="停电", result="已恢复", handle=True, tell=False
    )
    sms = Message.objects.filter(event=EventType.INCIDENT_RESTORED, channel="sms")
    assert sorted(sms.values_list("address", flat=True)) == ["13800000011", "13800000012"]


def test_the_move_is_not_a_door(demo: Any) -> None:
    case = _case(demo, "13800000014")
    with pytest.raises(PermissionDenied):
        s.case_transition(case=case, move="incident_handle", actor=demo.users["office"])

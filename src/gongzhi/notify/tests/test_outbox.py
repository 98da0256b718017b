"""The outbox as the county uses it: a case registered by phone queues the reporter's
SMS and the property company's group-robot message in the same transaction, delivered
after the commit (console backend, as in the demo); quiet hours, opt-outs and
preferences hold messages back; meeting notices reach robots too; the office's outbox
page shows its own county's messages only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import services as cs
from gongzhi.cases.models import Case
from gongzhi.meetings.models import InboxMessage
from gongzhi.meetings.services.core import inbox_send
from gongzhi.notify import services
from gongzhi.notify.models import Attempt, Message, OptOut, Preference, UnitWebhook
from gongzhi.org.models import Unit, User

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
PHONE = "13955554444"


def user(name: str) -> User:
    return User.objects.get(username=name)


def register(**kw: Any) -> Case:
    data: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道垃圾没清，王小明 13955554444",
        "description": "3 号楼楼道垃圾没清",
        "matter_code": "JX-15-a",
        "reporter_name": "王小明",
        "reporter_phone": PHONE,
        "actor": user("dispatcher"),
    }
    data.update(kw)
    return cs.case_register(**data)


def mine(case: Case) -> Any:
    return Message.objects.filter(target=f"cases.case:{case.number}")


def test_a_call_queues_the_reporters_sms_and_the_companys_robot_sent_after_commit(
    demo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = register()
    assert callbacks
    sms = mine(case).get(channel="sms")
    assert sms.event == "received" and case.number in sms.body and sms.address == PHONE
    assert sms.label == "诉求人 王** 139****4444" and sms.state == "sent"
    robot = mine(case).get(channel="wecom")
    assert robot.event == "dispatched" and robot.webhook is not None
    assert robot.webhook.unit == case.lead_unit and robot.state == "sent"
    # A group chat is wider than the unit's staff: the reporter's phone is masked there.
    assert PHONE not in robot.body and "139****4444" in robot.body
    assert Attempt.objects.filter(message__in=[sms, robot], ok=True).count() == 2


def test_a_write_rolled_back_sends_nothing(demo: Any) -> None:
    before = Message.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        register()
        raise RuntimeError
    assert Message.objects.count() == before


def test_quiet_hours_hold_the_sms_until_morning_not_the_robot(demo: Any, settings: Any) -> None:
    settings.GONGZHI_NOTIFY_QUIET_HOURS = "22:00-07:00"
    night = dt.datetime(2026, 11, 3, 23, 10, tzinfo=BJ)
    case = register(now=night)
    sms, robot = mine(case).get(channel="sms"), mine(case).get(channel="wecom")
    assert sms.next_attempt_at == dt.datetime(2026, 11, 4, 7, 0, tzinfo=BJ)
    assert robot.next_attempt_at == night
    assert services.message_deliver(message_id=sms.pk, now=night) == "pending"
    assert services.message_deliver(message_id=robot.pk, now=night) == "sent"
    morning = dt.datetime(2026, 11, 4, 7, 0, tzinfo=BJ)
    services.messages_sweep(now=morning)
    sms.refresh_from_db()
    assert sms.state == "sent" and sms.attempts == 1


def test_an_opted_out_number_and_a_preference_hold_messages_back(demo: Any) -> None:
    pending = register()
    services.optout_add(channel="sms", address=PHONE, source="测试")
    assert mine(pending).get(channel="sms").state == "suppressed"
    later = register(title="又一件")
    sms = mine(later).get(channel="sms")
    assert sms.state == "suppressed" and sms.last_error == "收件人已退订"
    assert OptOut.objects.filter(address=PHONE).count() == 1

    resident = user("resident")
    services.preference_set(user=resident, sms=False, email=True, quiet_hours=True)
    case = register(channel="web", actor=resident, reporter_phone="13811112222", title="我的诉求")
    sms = mine(case).get(channel="sms")
    assert sms.state == "suppressed" and sms.last_error == "收件人已关闭该类消息"
    assert mine(case).get(channel="inbox").user == resident


def test_a_meeting_notice_reaches_the_units_robot(demo: Any) -> None:
    unit = Unit.objects.get(pk=UnitWebhook.objects.filter(kind="wecom").values("unit")[:1])
    assert inbox_send(unit=unit, kind="notice", key="t-notice", text="请参加联席会议")
    sent = InboxMessage.objects.get(unit=unit, key="t-notice")
    msg = Message.objects.get(target=f"meetings.inboxmessage:{sent.pk}", channel="wecom")
    # The demo's own meeting notices reached the robots too.
    assert Message.objects.filter(event="meeting_notice", unit=unit).count() > 1
    assert msg.event == "meeting_notice" and msg.channel == "wecom"
    assert not inbox_send(unit=unit, kind="notice", key="t-notice", text="请参加联席会议")
    assert Message.objects.filter(target=msg.target, channel="wecom").count() == 1


def test_the_outbox_page_shows_each_county_its_own(demo: Any, login: Any) -> None:
    jx = register()
    cb = cs.case_register(
        channel="12345",
        estate="CB-E002",
        title="赤壁的诉求",
        description="电梯坏了",
        reporter_phone="13700001111",
        actor=user("cb-office"),
    )
    jx_sms, cb_sms = mine(jx).get(channel="sms"), mine(cb).get(channel="sms")
    page = login("office").get("/notify/outbox/", {"channel": "sms"}).content.decode()
    assert jx.number in page and cb.number not in page
    assert jx_sms.label in page and f"<td>{PHONE}" not in page
    assert login("office").get(f"/notify/outbox/{cb_sms.pk}/").status_code == 404
    page = login("cb-office").get("/notify/outbox/").content.decode()
    assert cb.number in page and jx.number not in page
    assert login("cb-office").get(f"/notify/outbox/{jx_sms.pk}/").status_code == 404
    assert login("auditor").get("/notify/outbox/").status_code == 403
    assert login("dispatcher").get("/notify/outbox/").status_code == 403


def test_the_office_sends_a_failed_message_again(demo: Any, login: Any) -> None:
    case = register()
    sms = mine(case).get(channel="sms")
    Message.objects.filter(pk=sms.pk).update(state="failed", attempts=5, last_error="网关超时")
    client = login("office")
    detail = client.get(f"/notify/outbox/{sms.pk}/").content.decode()
    assert "网关超时" in detail and "重新发送" in detail
    got = client.post(f"/notify/outbox/{sms.pk}/retry/")
    assert got.status_code == 302
    sms.refresh_from_db()
    assert sms.state == "sent" and sms.attempts == 6
    # Another county's office cannot.
    assert login("cb-office").post(f"/notify/outbox/{sms.pk}/retry/").status_code == 404


def test_preferences_page(demo: Any, login: Any) -> None:
    client = login("resident")
    assert client.get("/notify/preferences/").status_code == 200
    got = client.post("/notify/preferences/", {"email": "on", "muted_events": ["warning"]})
    assert got.status_code == 302
    pref = Preference.objects.get(user=user("resident"))
    assert not pref.sms and pref.email and not pref.quiet_hours and pref.muted_events == ["warning"]
    got = client.post("/notify/preferences/", {"muted_events": ["nonsense"]})
    assert Preference.objects.get(user=user("resident")).muted_events == ["warning"]


def test_a_message_held_by_quiet_hours_is_left_to_the_sweep_not_tried_after_commit(
    demo: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.GONGZHI_NOTIFY_QUIET_HOURS = "22:00-07:00"
    night = dt.datetime(2026, 11, 3, 23, 10, tzinfo=BJ)
    with (
        time_machine.travel(night, tick=False),
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        case = register(now=night)
    sms, robot = mine(case).get(channel="sms"), mine(case).get(channel="wecom")
    assert robot.state == "sent" and robot.attempts == 1
    assert sms.state == "pending" and sms.attempts == 0 and not sms.log.exists()
    # Only the robot's message was claimed and settled (two UPDATEs), not the held SMS.
    updates = [
        q for q in queries.captured_queries if q["sql"].startswith('UPDATE "notify_message"')
    ]
    assert len(updates) == 2
    morning = dt.datetime(2026, 11, 4, 7, 0, tzinfo=BJ)
    services.messages_sweep(now=morning)
    sms.refresh_from_db()
    assert sms.state == "sent" and sms.attempts == 1

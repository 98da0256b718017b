"""Issue 8: a meeting whose day passed without being held stayed 计划 and was counted
nowhere. The sweep flags it 未按期召开, once, with its event and a line in the office's
inbox; the calendar, the body page and the summaries show and count it; attendance
recorded late still marks it held."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from gongzhi.common.audit import audit_trail
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import services as s
from gongzhi.meetings.models import InboxMessage, Meeting
from gongzhi.meetings.workflow import MeetingState
from gongzhi.org.models import Body

pytestmark = pytest.mark.django_db


def _jx() -> Body:
    return Body.objects.get(name="嘉祥街道物业管理联席会议")


def test_a_meeting_not_held_on_its_day_is_flagged_shown_and_counted(
    demo, login, at_demo_now
) -> None:
    body = _jx()
    november = Meeting.objects.get(body=body, state=MeetingState.NOTICED)
    assert november.starts_at.astimezone(SHANGHAI).date() == dt.date(2026, 11, 11)
    # The day after, before any sweep, the summary already counts it as not held.
    at_demo_now.move_to(dt.datetime(2026, 11, 12, 8, 0, tzinfo=SHANGHAI))
    auditor = login("auditor")
    summary = auditor.get(f"/api/meetings/bodies/{body.pk}/summary?year=2026&half=2").json()
    assert (summary["held"], summary["missed"]) == (1, 1)

    out = io.StringIO()
    call_command("meetings_sweep", now="2026-11-12T08:00:00+08:00", stdout=out)
    # 嘉祥街道's noticed meeting and the other two streets' planned ones.
    assert "未按期召开 3 次" in out.getvalue()
    call_command("meetings_sweep", now="2026-11-12T08:00:00+08:00", stdout=out)
    assert out.getvalue().count("未按期召开 0 次") == 1
    november.refresh_from_db()
    assert november.state == MeetingState.MISSED
    event = audit_trail(november).order_by("-id")[0]
    assert (event.action, event.from_state, event.to_state) == (
        "meetings.meeting.missed",
        "noticed",
        "missed",
    )
    assert InboxMessage.objects.filter(
        unit=demo.units["street:嘉祥街道"], key=f"missed:{november.pk}"
    ).exists()

    office = login("office")
    calendar = office.get("/meetings/calendar/?month=2026-11").content.decode()
    assert "未按期召开" in calendar
    page = office.get(f"/meetings/bodies/{body.pk}/").content.decode()
    assert "未按期召开" in page
    html = office.get(f"/meetings/bodies/{body.pk}/summary/?year=2026&half=2").content.decode()
    assert "<th>未按期召开</th><td>1</td>" in html
    xlsx = office.get(f"/meetings/bodies/{body.pk}/summary/?year=2026&format=xlsx")
    rows = {
        r[0]: r[1]
        for r in load_workbook(io.BytesIO(xlsx.content))["总结"].iter_rows(values_only=True)
        if r and r[0]
    }
    assert rows["未按期召开"] == 1
    summary = auditor.get(f"/api/meetings/bodies/{body.pk}/summary?year=2026").json()
    assert summary["missed"] == 1
    detail = office.get(f"/api/meetings/meetings/{november.pk}").json()
    assert detail["state"] == "missed" and "attendance_record" in detail["allowed"]

    # It was held after all: attendance recorded late marks it held; the flag stays in
    # its history, and the summary counts it held.
    present = [{"invitation_id": i.pk, "status": "present"} for i in november.invitations.all()]
    recorded = office.post(
        f"/api/meetings/meetings/{november.pk}/attendance",
        {"rows": present},
        content_type="application/json",
    )
    assert recorded.json()["state"] == "held"
    november.refresh_from_db()
    assert november.state == MeetingState.HELD
    assert [e.to_state for e in audit_trail(november).order_by("id") if e.to_state][-2:] == [
        "missed",
        "held",
    ]
    summary = auditor.get(f"/api/meetings/bodies/{body.pk}/summary?year=2026&half=2").json()
    assert (summary["held"], summary["missed"]) == (2, 0)


def test_a_missed_meeting_is_cancelled_with_its_reason_and_its_agenda_freed(
    demo, login, at_demo_now
) -> None:
    body = _jx()
    november = Meeting.objects.get(body=body, state=MeetingState.NOTICED)
    topic = november.topics.get()
    s.meetings_sweep(now=dt.datetime(2026, 11, 13, 8, 0, tzinfo=SHANGHAI))
    at_demo_now.move_to(dt.datetime(2026, 11, 13, 9, 0, tzinfo=SHANGHAI))
    office = login("office")
    r = office.post(
        f"/api/meetings/meetings/{november.pk}/cancel",
        {"reason": "主要成员单位参加防汛工作，改期召开"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    topic.refresh_from_db()
    assert (topic.state, topic.meeting_id) == ("approved", None)

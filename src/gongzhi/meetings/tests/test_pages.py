"""Every page opens for the roles that should see it, shows what they need, and refuses
those who shouldn't."""

from __future__ import annotations

import pytest

from gongzhi.meetings.models import Decision, Meeting, Topic
from gongzhi.meetings.workflow import DecisionState, MeetingState, TopicState
from gongzhi.org.models import Body

pytestmark = pytest.mark.django_db


def _jx() -> Body:
    return Body.objects.get(name="嘉祥街道物业管理联席会议")


def test_pages_open_for_the_office(demo, login, at_demo_now) -> None:
    client = login("office")
    body = _jx()
    october = Meeting.objects.get(body=body, state=MeetingState.CLOSED)
    november = Meeting.objects.get(body=body, state=MeetingState.NOTICED)
    decision = Decision.objects.filter(meeting=october)[0]
    topic = Topic.objects.filter(body=body)[0]
    urls = [
        "/",
        "/meetings/",
        "/meetings/calendar/?month=2026-11",
        f"/meetings/bodies/{body.pk}/",
        f"/meetings/bodies/{body.pk}/summary/?year=2026&half=2",
        f"/meetings/bodies/{body.pk}/propose/",
        "/meetings/topics/",
        f"/meetings/topics/{topic.pk}/",
        f"/meetings/m/{october.pk}/",
        f"/meetings/m/{november.pk}/",
        f"/meetings/m/{november.pk}/agenda/",
        f"/meetings/m/{november.pk}/notice/",
        f"/meetings/m/{october.pk}/attendance/",
        f"/meetings/m/{october.pk}/minutes/",
        "/meetings/decisions/",
        "/meetings/decisions/?state=open",
        f"/meetings/decisions/{decision.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/meetings/").content.decode()
    assert "嘉祥街道物业管理联席会议" in html and "每月第2周星期三 09:00" in html


def test_member_sees_inbox_and_home_box(demo, login, at_demo_now) -> None:
    client = login("zjj")
    html = client.get("/meetings/inbox/").content.decode()
    assert "嘉祥街道物业管理联席会议2026年11月例会" in html
    assert "嘉宁小区物业服务企业退出交接" in html  # the housing bureau's own topic
    # The unit's attendance record for the year: one meeting held, attended.
    assert "县住房和城乡建设局</td><td>嘉祥街道物业管理联席会议</td><td>1</td><td>1</td>" in html
    assert client.get("/").status_code == 200
    assert "联席会议" in client.get("/").content.decode()


def test_public_and_outsiders_see_nothing(demo, client, login) -> None:
    body = _jx()
    assert client.get("/meetings/").status_code == 302  # to the login page
    assert client.get(f"/meetings/bodies/{body.pk}/").status_code == 302
    resident = login("resident")  # what they may not read is answered as missing
    assert resident.get(f"/meetings/bodies/{body.pk}/").status_code == 404
    october = Meeting.objects.get(body=body, state=MeetingState.CLOSED)
    assert resident.get(f"/meetings/m/{october.pk}/").status_code == 404


def test_public_minutes_only_when_marked_public(demo, client) -> None:
    october = Meeting.objects.get(body=_jx(), state=MeetingState.CLOSED)
    html = client.get(f"/meetings/public/minutes/{october.pk}/").content.decode()
    assert "老粮局宿舍环境卫生由街道托管" in html
    october.minutes.is_public = False
    october.minutes.save()
    assert client.get(f"/meetings/public/minutes/{october.pk}/").status_code == 404


def test_demo_state(demo) -> None:
    body = _jx()
    october = Meeting.objects.get(body=body, state=MeetingState.CLOSED)
    states = set(october.decisions.values_list("state", flat=True))
    assert states == {DecisionState.DONE, DecisionState.ESCALATED}
    escalated = Topic.objects.get(escalated_from__isnull=False)
    assert escalated.body.kind == Body.Kind.LEADERSHIP_GROUP
    assert "已两次入户宣传" in escalated.background
    assert Topic.objects.filter(body=body, state=TopicState.PROPOSED).count() == 1


def test_admin_lists_meetings_read_only(demo, login) -> None:
    client = login("admin")
    for url in ("/admin/meetings/meeting/", "/admin/meetings/decision/", "/admin/meetings/topic/"):
        assert client.get(url).status_code == 200, url
    meeting = Meeting.objects.all()[0]
    assert client.get(f"/admin/meetings/meeting/{meeting.pk}/delete/").status_code == 403


def test_sweep_task_runs(demo, at_demo_now) -> None:
    from gongzhi.meetings.tasks import sweep

    assert sweep() == "reminded=0 overdue=0 missed=0"


def test_office_records_a_change_of_member_with_history(demo, login) -> None:
    from gongzhi.org.models import BodyMember

    body = _jx()
    seat = BodyMember.objects.get(body=body, unit=demo.units["market_regulation"], end_date=None)
    client = login("jiedao")  # the street office staffs this body's office
    url = f"/meetings/bodies/{body.pk}/"
    bad = client.post(
        url, {"action": "body_member_change", "role": "member", "start_date": "2026-11-01"}
    )
    assert bad.status_code == 422 and "请注明变更依据" in bad.content.decode()
    ok = client.post(
        url,
        {
            "action": "body_member_change",
            "role": "member",
            "unit_id": demo.units["market_regulation"].pk,
            "person_name": "周新",
            "title": "副局长",
            "replaces_id": seat.pk,
            "start_date": "2026-11-01",
            "reason": "市场监管局提出，经 10 月例会确认",
        },
        follow=True,
    )
    assert "成员变更已登记" in ok.content.decode()
    seat.refresh_from_db()
    assert str(seat.end_date) == "2026-10-31"
    assert "历史变动" in ok.content.decode() and "周新" in ok.content.decode()
    assert (
        login("zjj")
        .post(
            url,
            {
                "action": "body_member_change",
                "role": "member",
                "person_name": "x",
                "start_date": "2026-11-01",
                "reason": "x",
            },
        )
        .status_code
        == 403
    )

"""Joint conferences in the browser: the office opens the agenda builder and a notice,
the convener approves a topic (htmx); screenshots go to var/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongzhi.meetings.models import Meeting, Topic
from gongzhi.meetings.workflow import MeetingState, TopicState
from gongzhi.org.models import Body

from .test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_agenda_and_notice_convener_approves(
    transactional_demo: Any, live_server: Any, page: Any, shot: Any
) -> None:
    base = live_server.url
    body = Body.objects.get(name="嘉祥街道物业管理联席会议")
    planned = Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")
    noticed = Meeting.objects.get(body=body, state=MeetingState.NOTICED)
    pending = Topic.objects.get(body=body, state=TopicState.PROPOSED)

    log_in(page, base, "office")
    page.goto(f"{base}/meetings/m/{planned[0].pk}/agenda/")
    text = page.inner_text("main")
    assert "编排议程" in text and "通报上期会议议定事项落实情况" in text
    assert "已提请上级" in text  # the previous meeting's escalated decision is reported
    shot(page, "meetings-agenda-builder")
    page.goto(f"{base}/meetings/m/{noticed.pk}/notice/")
    text = page.inner_text("main")
    assert "会议通知" in text and "嘉宁小区物业服务企业退出交接" in text
    assert "待召集人批准" in text  # the housing bureau's leave request
    shot(page, "meetings-notice")
    page.click("text=退出")

    log_in(page, base, "convener")
    page.goto(f"{base}/meetings/topics/")
    row = page.locator(f"#topic-{pending.pk}")
    assert pending.title in row.inner_text()
    row.locator("button[name=approve][value=true]").click()
    page.locator(f"#topic-{pending.pk} >> text=已批准").wait_for()
    shot(page, "meetings-topic-approved")
    pending.refresh_from_db()
    assert pending.state == TopicState.APPROVED


def test_office_puts_a_topic_on_an_agenda_from_its_page_and_sees_missed_meetings(
    transactional_demo: Any, live_server: Any, page: Any, shot: Any
) -> None:
    """The topic page offers the office exactly its actions (here: 列入议程); the sweep's
    未按期召开 shows on the calendar."""
    from gongzhi.meetings import services as s
    from gongzhi.org.models import User

    base = live_server.url
    body = Body.objects.get(name="嘉祥街道物业管理联席会议")
    topic = Topic.objects.get(body=body, state=TopicState.PROPOSED)
    s.topic_review(topic=topic, approve=True, actor=User.objects.get(username="convener"))
    december = Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")[
        0
    ]
    s.meetings_sweep(now=december.starts_at - dt.timedelta(days=20))

    log_in(page, base, "office")
    page.goto(f"{base}/meetings/topics/{topic.pk}/")
    form = page.locator("form[data-action=topic_schedule]")
    assert page.locator("form[data-action=topic_review]").count() == 0  # the convener's
    form.locator("select[name=meeting_id]").select_option(str(december.pk))
    form.locator("button").click()
    page.locator("text=已列入议程").first.wait_for()
    shot(page, "meetings-topic-scheduled")
    topic.refresh_from_db()
    assert topic.state == TopicState.SCHEDULED and topic.meeting_id == december.pk

    page.goto(f"{base}/meetings/calendar/?month=2026-11")
    assert "未按期召开" in page.inner_text("main")
    shot(page, "meetings-calendar-missed")

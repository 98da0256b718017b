"""Joint conferences in the browser: the office opens the agenda builder and a notice,
the convener approves a topic (htmx); screenshots go to var/screenshots/."""

from __future__ import annotations

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

"""A resident answers the 群众满意单位 survey on a phone (390 px wide): types a number, gets
the SMS code (read here from the outbox), rates two units and submits once; the page
never scrolls sideways. Screenshot in var/screenshots/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from gongzhi.appraisal.models import SatisfactionPeriod, SurveyVote
from gongzhi.notify.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OPEN_DAY = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)  # inside the demo's second period


def test_a_resident_votes_on_a_390px_phone(
    transactional_demo: Any, live_server: Any, chromium: Any, shot: Any
) -> None:
    period = SatisfactionPeriod.objects.filter(jurisdiction__code="370829000000").order_by(
        "starts_on"
    )[1]
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        with time_machine.travel(OPEN_DAY, tick=True):
            page.goto(f"{live_server.url}/appraisal/survey/{period.pk}/")
            page.fill("input[name=phone]", "13912345678")
            with page.expect_navigation():
                page.click("text=获取验证码")
            sms = Message.objects.filter(event="verify_code").latest("id")
            page.fill("input[name=code]", sms.params["code"])
            radios = page.locator("input[type=radio][value=satisfied]")
            radios.nth(0).check()
            radios.nth(1).check()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page is {width} px wide on a 390 px screen"
            with page.expect_navigation():
                page.click("text=提交评价")
            shot(page, "appraisal-survey-390-done")
            assert "评价已提交" in page.inner_text("main")
        assert SurveyVote.objects.filter(period=period).count() == 1
    finally:
        context.close()

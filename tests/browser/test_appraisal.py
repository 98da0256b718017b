"""A rater scores on a phone (390 px wide): one-time code, every party on every item,
submitted once; the page never scrolls sideways. Screenshot in var/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.appraisal.models import Campaign, ReviewSheet
from gongzhi.appraisal.services import review_codes_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rater_scores_on_a_390px_phone(
    transactional_demo: Any, live_server: Any, chromium: Any, shot: Any
) -> None:
    campaign = Campaign.objects.get(street__name="蒲圻街道", year=2026)
    code = review_codes_issue(campaign=campaign, counts={"resident": 1}, actor=None)[0][1]
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{live_server.url}/appraisal/rate/")
        page.fill("input[name=code]", code)
        page.click("text=开始评议")
        inputs = page.locator("input[type=number]")
        assert inputs.count() == campaign.subjects.count() * campaign.items.count()
        for i in range(inputs.count()):
            box = inputs.nth(i)
            box.fill(box.get_attribute("max") or "0")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        with page.expect_navigation():
            page.locator("button[name=send]").click()
        shot(page, "appraisal-rate-390-done")
        assert "评议表已提交" in page.inner_text("main")
        assert ReviewSheet.objects.filter(campaign=campaign).count() == 4
    finally:
        context.close()

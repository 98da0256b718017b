"""An anonymous resident types into the report form: after a short pause it says what the
problem looks like and who handles it; a click chooses the matter; the report goes in."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_suggests_the_matter_and_a_click_chooses_it(
    transactional_demo, live_server, page, shot
) -> None:
    base = live_server.url
    page.goto(f"{base}/cases/report/")
    page.select_option("select[name=estate]", "JX-E001")
    page.wait_for_selector("select[name=matter_code] option[value='RF-ENV-01']", state="attached")
    page.fill("input[name=title]", "油烟")
    page.locator("textarea[name=description]").press_sequentially("楼下饭店的油烟熏得家里没法开窗")
    page.wait_for_selector("#report-suggest .suggest-main", timeout=30000)
    text = page.inner_text("#report-suggest")
    assert "这看起来像：" in text and "由 济宁市生态环境局嘉祥县分局 负责" in text
    assert "RF-ENV-01" not in text
    shot(page, "cases-report-suggest")
    page.click("#report-suggest .suggest-main .suggest-pick")
    page.wait_for_selector(
        "select[name=matter_code] option[value='RF-ENV-01'][selected]", state="attached"
    )
    assert page.input_value("select[name=matter_code]") == "RF-ENV-01"
    page.fill("input[name=reporter_phone]", "13912345678")
    page.click("button:has-text('提交')")
    page.wait_for_selector(".case-number")
    case: Any = Case.objects.get(number=page.inner_text(".case-number"))
    assert case.matter is not None and case.matter.code == "RF-ENV-01"

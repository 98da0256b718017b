"""A property company's handler on a phone (390 px): the menu folds behind a button, the
inbox is a list of cards with thumb-sized buttons and nothing wider than the screen, and a
case goes inbox → 签收 → 开始办理 → 办结 with a photo as evidence (issue 11 item 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from gongzhi.cases import services
from gongzhi.cases.models import Case, State
from tests.browser.test_cases import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def fits(page: Any) -> None:
    """Nothing on the page is wider than the screen (no sideways scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"


def thumb_sized(page: Any, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= WIDTH, box


def test_inbox_accept_and_handle_with_a_photo_on_a_phone(
    transactional_demo: Any, live_server: Any, phone: Any, shot: Any, tmp_path: Path
) -> None:
    case = services.case_register(
        channel="12345",
        estate="JX-E001",
        title="楼道灯不亮",
        description="3 号楼 2 单元楼道灯坏了一周",
        matter_code="JX-15-a",
        reporter_name="王小明",
        reporter_phone="13912345678",
    )
    photo = tmp_path / "fixed.jpg"
    Image.new("RGB", (64, 48), "green").save(photo, "JPEG")
    page, base = phone, live_server.url
    log_in(page, base, "wuye")

    # The menu is folded; the button opens it.
    assert not page.is_visible("#mainnav")
    page.click("[data-nav-toggle]")
    assert page.is_visible("#mainnav")
    page.click("#mainnav >> text=工作台")
    page.wait_for_url(f"{base}/cases/inbox/")
    fits(page)
    card = page.locator("table.inbox-table tr", has_text=case.number)
    assert card.evaluate("el => getComputedStyle(el).display") == "block"
    label = card.locator("td").first.evaluate("el => getComputedStyle(el, '::before').content")
    assert "编号" in label  # each card labels its lines
    thumb_sized(page, f"table.inbox-table tr:has-text('{case.number}') button:has-text('签收')")
    shot(page, "phone-inbox")
    card.locator("button:has-text('签收')").click()
    page.wait_for_url(f"{base}/cases/inbox/")

    page.locator("table.inbox-table tr", has_text=case.number).locator("a:has-text('办理')").click()
    page.wait_for_selector("#next-step .form-start")
    fits(page)
    thumb_sized(page, "#next-step .form-start button")
    page.fill("#next-step .form-start textarea[name=reason]", "已到场查看")
    page.click("#next-step .form-start button")
    page.wait_for_selector("#next-step .form-handle")
    page.fill("#next-step .form-handle textarea[name=result]", "已更换楼道灯，恢复照明。")
    page.set_input_files("#next-step .form-handle input[name=evidence]", str(photo))
    page.click("#next-step .form-handle button")
    page.wait_for_selector(".case-head .state-handled")
    fits(page)
    shot(page, "phone-case-handled")
    case = Case.objects.get(pk=case.pk)
    assert case.state == State.HANDLED
    assert case.attachments.count() == 1

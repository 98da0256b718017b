"""The estate board with the three parties' notices in the browser, on a desktop and at
390 px wide (a phone that scanned the poster); screenshots go to var/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_board_notices_on_a_phone(
    transactional_demo: Any, live_server: Any, chromium: Any, shot: Any
) -> None:
    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{live_server.url}/estates/JX-E001/")
        notices = page.locator("#notices")
        assert notices.is_visible()
        text = notices.inner_text()
        assert "年度服务承诺" in text and "住宅 0.75 元/㎡·月" in text
        assert "0.80" not in text
        # Nothing wider than the phone: the page does not scroll sideways.
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right + ' ' + e.innerText.slice(0, 40) + ' ' + getComputedStyle(e.parentElement).overflowX)"
        )
        assert width <= 390, (width, wide)
        shot(page, "board-notices-390")
        page.click("text=历史版本")
        assert "住宅 0.80 元/㎡·月" in page.inner_text("main")
        shot(page, "board-notice-history-390")
    finally:
        context.close()


def test_urgent_circular_read_receipt(
    transactional_demo: Any, live_server: Any, page: Any, shot: Any
) -> None:
    from gongzhi.parties.models import Circular

    from .test_roles import log_in

    base = live_server.url
    circular = Circular.objects.get(estate__code="JX-E001", urgent=True)
    log_in(page, base, "wuye")
    page.goto(f"{base}/parties/circulars/{circular.pk}/")
    assert "1 个单位尚未阅知" in page.inner_text("#unread")
    shot(page, "circular-sender-unread")
    page.click("text=退出")
    log_in(page, base, "jiedao")
    page.click("a.notices-link")
    page.click(f"text=【紧急】{circular.title}")
    assert circular.title in page.inner_text("h1")
    shot(page, "circular-street-reads")
    page.click("text=退出")
    log_in(page, base, "wuye")
    page.goto(f"{base}/parties/circulars/{circular.pk}/")
    assert "全部接收单位均已阅知" in page.inner_text("#unread")
    assert "陈晨" in page.inner_text("#receipts")


def test_outage_unlink_then_close(
    transactional_demo: Any, live_server: Any, page: Any, shot: Any
) -> None:
    """The power company takes a case off the outage with a reason, then closes the
    outage: the linked cases become 已办结, the unlinked one keeps its state."""
    from gongzhi.cases.models import Case
    from gongzhi.parties.models import Outage, OutageCase

    from .test_roles import log_in

    base = live_server.url
    outage = Outage.objects.get(title="曾子花园 10kV 线路故障停电")
    numbers = list(
        OutageCase.objects.filter(outage=outage)
        .order_by("id")
        .values_list("case__number", flat=True)
    )
    kept_state = Case.objects.get(number=numbers[0]).state
    log_in(page, base, "gongdian")
    page.goto(f"{base}/parties/outages/{outage.pk}/")
    row = page.locator("tr", has_text=numbers[0])
    row.locator("button", has_text="取消关联").click()  # no reason: refused
    assert "请写明取消关联的原因" in page.inner_text("main")
    row = page.locator("tr", has_text=numbers[0])
    row.locator("input[name=reason]").fill("该户为欠费停电，非本次故障")
    row.locator("button", has_text="取消关联").click()
    page.wait_for_url(f"{base}/parties/outages/{outage.pk}/")
    assert numbers[0] not in page.inner_text("main")
    assert numbers[1] in page.inner_text("main")
    shot(page, "outage-unlinked")
    page.fill("form[action$='/close/'] textarea[name=note]", "更换熔断器后于 11:40 恢复供电")
    page.locator("form[action$='/close/'] button").click()
    page.wait_for_url(f"{base}/parties/outages/{outage.pk}/")
    assert "已恢复" in page.inner_text("h1")
    assert page.locator("text=已办结").count() >= 2
    shot(page, "outage-closed")
    assert Case.objects.get(number=numbers[0]).state == kept_state
    assert all(Case.objects.get(number=n).state == "handled" for n in numbers[1:])

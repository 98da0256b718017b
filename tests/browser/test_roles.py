"""Every demo role logs in through the real login page, sees its home page, and an
estate's public page renders; screenshots go to var/screenshots/ (CI artifacts)."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    ("admin", "平台管理员"),
    ("office", "联席会议办公室"),
    ("dispatcher", "单位经办人"),
    ("zjj", "单位经办人"),
    ("zjj-head", "单位负责人"),
    ("convener", "召集人"),
    ("wuye", "三方成员"),
    ("yeweihui", "三方成员"),
    ("juweihui", "三方成员"),
    ("resident", "居民"),
    ("auditor", "审计（只读）"),
]


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_each_role_logs_in_and_sees_its_home(transactional_demo, live_server, page, shot) -> None:
    base = live_server.url
    for username, role_label in ROLES:
        log_in(page, base, username)
        body = page.inner_text("main")
        assert "您好" in body, username
        assert role_label in body, username
        shot(page, f"home-{username}")
        page.click("text=退出")
        page.wait_for_url(f"{base}/")


def test_public_estate_page_in_the_browser(transactional_demo, live_server, page, shot) -> None:
    page.goto(f"{live_server.url}/estates/JX-E001/")
    assert page.locator("h1").inner_text().startswith("曾子花园")
    assert page.locator("text=县住房和城乡建设局").first.is_visible()
    shot(page, "estate-JX-E001")
    page.goto(f"{live_server.url}/estates/JX-E003/")
    assert "本小区无物业服务企业" in page.inner_text("main")
    shot(page, "estate-JX-E003")


def test_route_page_with_htmx(transactional_demo, live_server, page, shot) -> None:
    log_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/catalog/route/")
    page.select_option("select[name=estate]", "JX-E002")
    page.wait_for_selector("select[name=matter]")
    page.select_option("select[name=matter]", "JX-06-04")
    page.wait_for_selector("#route-answer")
    answer = page.inner_text("#route-answer")
    assert "县市场监督管理局" in answer and "003 二(六)4" in answer
    shot(page, "route-JX-E002-JX-06-04")


def test_language_switch_to_english(transactional_demo, live_server, page) -> None:
    page.goto(f"{live_server.url}/estates/JX-E001/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Who to call" in page.inner_text("main")

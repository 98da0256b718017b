"""The 12345 dispatcher logs a call from the keyboard: the caller's number brings up their
earlier case, the estate is found by name, the description brings the router's
suggestion and a duplicate warning, and the call is attached to the open case; then a
new call is registered with Ctrl+Enter."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, CaseCall
from gongzhi.catalog.classify import model_for
from gongzhi.demo import DEMO_PASSWORD
from gongzhi.org.models import Estate, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_dispatcher_logs_a_call_sees_the_duplicate_and_attaches_it(
    transactional_demo, live_server, page, shot
) -> None:
    earlier = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="楼道垃圾没清",
        description="3 号楼楼道垃圾没清",
        matter_code="JX-15-a",
        reporter_name="王小明",
        reporter_phone="13877776666",
        actor=User.objects.get(username="dispatcher"),
    )
    estate = Estate.objects.get(code="JX-E001")
    # A running worker has the county's model trained (training takes 10 s or more on a
    # busy machine); the page's suggestion should not wait for it here.
    model_for(estate.community)
    base = live_server.url
    log_in(page, base, "dispatcher")
    page.click("nav >> text=登记来电")
    page.wait_for_selector("#intake-form")
    # htmx binds the phone field's trigger when the document has loaded; on a busy machine
    # the form is there before that, and keys typed earlier would send no look-up.
    page.wait_for_load_state("load")
    # The phone field has the focus: the dispatcher types the caller's number at once.
    page.keyboard.type("13877776666")
    page.wait_for_selector(f"#intake-caller >> text={earlier.number}")
    page.keyboard.press("Tab")
    page.keyboard.type("赵大妈")
    page.fill("#intake-form input[name=q]", estate.name)  # not the header's search box
    page.wait_for_selector("#estate-select option[value='JX-E001']", state="attached")
    page.select_option("#estate-select", "JX-E001")
    page.wait_for_selector("#matter-select option[value='JX-15-a']", state="attached")
    page.fill("textarea[name=description]", "3 号楼楼道垃圾没清，卫生差")
    warning = page.wait_for_selector(".duplicate-warning")
    assert earlier.number in warning.inner_text()
    assert page.locator("[data-set-field='matter_code=JX-15-a']").count() == 1
    shot(page, "cases-intake-duplicate")
    before = Case.objects.count()
    page.click(f".duplicate-warning button[value='{earlier.number}']")
    page.wait_for_selector(".intake-done")
    assert "已并入在办案件" in page.inner_text("h1")
    assert Case.objects.count() == before
    call = CaseCall.objects.get(case=earlier)
    assert call.caller_phone == "13877776666" and call.caller_name == "赵大妈"
    assert call.channel == "12345"

    # The next call: a new matter, registered with Ctrl+Enter after taking the suggestion.
    page.keyboard.press("Enter")  # 登记下一件 has the focus
    page.wait_for_selector("#intake-form")
    page.keyboard.type("13900005555")
    page.fill("#intake-form input[name=q]", estate.name)  # not the header's search box
    page.wait_for_selector("#estate-select option[value='JX-E001']", state="attached")
    page.select_option("#estate-select", "JX-E001")
    page.wait_for_selector("#matter-select option[value='JX-15-a']", state="attached")
    page.fill("textarea[name=description]", "小区垃圾桶满了没人清")
    page.wait_for_selector("[data-set-field='matter_code=JX-15-a']")
    page.click("[data-set-field='matter_code=JX-15-a']")
    assert page.input_value("#matter-select") == "JX-15-a"
    page.focus("textarea[name=description]")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".intake-done .track-key")
    number = page.inner_text(".case-number")
    case = Case.objects.get(number=number)
    assert case.matter is not None and case.matter.code == "JX-15-a"
    assert case.reporter_phone == "13900005555" and case.channel == "12345"
    shot(page, "cases-intake-done")

"""Under the Content-Security-Policy the pages load without a single violation, htmx runs
(configured for it), and the small behaviours declared with data-* attributes — and the
few inline handlers still left in templates — keep working."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.cases.models import Case
from gongzhi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
window.print = function () { window.__printed = (window.__printed || 0) + 1; };
"""


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_pages_load_without_csp_violations(transactional_demo, live_server, page) -> None:
    base = live_server.url
    page.add_init_script(WATCH)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    log_in(page, base, "admin")
    number = Case.objects.order_by("id").values_list("number", flat=True).first()
    paths = [
        "/",
        "/estates/JX-E001/",
        "/cases/desk/",
        "/cases/ledger/",
        "/cases/metrics/",
        f"/cases/{number}/",
        "/cases/report/",
        "/meetings/",
        "/meetings/calendar/",
        "/catalog/",
        "/api/docs",
        "/admin/",
        "/admin/org/user/",
    ]
    for path in paths:
        refused.clear()
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
        assert refused == [], path
    # htmx is there, configured for the policy: no injected <style>, no eval.
    page.goto(f"{base}/cases/report/")
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("document.querySelectorAll('head style').length") == 0


def test_behaviours_work_without_inline_code(transactional_demo, live_server, page) -> None:
    base = live_server.url
    page.add_init_script(WATCH)
    # data-print, on a public page and on the ledger.
    page.goto(f"{base}/estates/JX-E001/")
    page.click("button[data-print]")
    assert page.evaluate("window.__printed") == 1
    log_in(page, base, "office")
    page.goto(f"{base}/cases/ledger/")
    page.click("button:has-text('打印')")
    assert page.evaluate("window.__printed") == 1
    # data-autosubmit: the language switch.
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    # htmx: the matter list of the chosen estate arrives on change.
    page.goto(f"{base}/cases/report/")
    page.select_option("select[name=estate]", "JX-E001")
    page.wait_for_selector("select[name=matter_code] option[value='JX-15-a']", state="attached")

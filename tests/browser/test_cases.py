"""A resident reports a problem through the form, the property company signs for it and
handles it, the office sends the result back, the resident rates it — all in the browser,
with screenshots of the report form, the inbox, the case page and the desk."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.cases.models import Case, State
from gongzhi.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def log_out(page: Any, base: str) -> None:
    page.click("text=退出")
    page.wait_for_url(f"{base}/")


def test_case_from_report_to_rating(transactional_demo, live_server, page, shot) -> None:
    base = live_server.url
    log_in(page, base, "resident")
    page.goto(f"{base}/cases/report/")
    page.select_option("select[name=estate]", "JX-E001")
    # The matter list of the chosen estate arrives through htmx.
    page.wait_for_selector("select[name=matter_code] option[value='JX-15-a']", state="attached")
    page.select_option("select[name=matter_code]", "JX-15-a")
    page.fill("input[name=building]", "3")
    page.fill("input[name=title]", "楼道垃圾三天没清")
    page.fill("textarea[name=description]", "3 号楼 2 单元楼道垃圾三天没人清理，气味很大。")
    page.fill("input[name=reporter_phone]", "13912345678")
    shot(page, "cases-report-form")
    page.click("button:has-text('提交')")
    page.wait_for_selector(".case-number")
    number = page.inner_text(".case-number")
    case = Case.objects.get(number=number)
    assert case.state == State.DISPATCHED and case.lead_unit.name == "嘉祥鸿泰物业服务有限公司"
    log_out(page, base)

    log_in(page, base, "wuye")
    page.goto(f"{base}/cases/inbox/")
    row = page.locator("tr", has_text=number)
    assert "距签收时限" in row.inner_text()
    # The page's script keeps the countdown current, in the same words.
    row.locator(".countdown").evaluate("el => { el.textContent = ''; }")
    page.evaluate("document.body.dispatchEvent(new Event('htmx:afterSwap'))")
    assert "距签收时限" in row.locator(".countdown").inner_text()
    shot(page, "cases-inbox")
    row.locator("a:has-text('办理')").click()
    page.wait_for_selector(".form-accept")
    assert "下一步：签收" in page.inner_text("#next-step")
    page.click("#next-step .form-accept button")  # htmx swaps the panel
    # The next step is always first; the rest wait, folded, under 其他操作.
    page.wait_for_selector("#next-step .form-start")
    assert "已签收" in page.inner_text("#case-panel")
    assert not page.is_visible(".other-actions .form-handle")
    page.fill("#next-step .form-start textarea[name=reason]", "已电话联系诉求人，今天下午到场。")
    page.click("#next-step .form-start button")
    page.wait_for_selector("#next-step .form-handle")
    page.fill("#next-step .form-handle textarea[name=result]", "已安排保洁清运，楼道已清理干净。")
    page.click("#next-step .form-handle button")
    page.wait_for_selector(".case-head .state-handled")
    assert "已办结" in page.inner_text(".case-head")
    shot(page, "cases-case-page")
    log_out(page, base)

    log_in(page, base, "office")
    page.goto(f"{base}/cases/desk/")
    desk_row = page.locator("tr", has_text=number)
    assert "已安排保洁清运" in desk_row.inner_text()
    shot(page, "cases-desk")
    desk_row.locator("button:has-text('反馈诉求人')").click()
    page.wait_for_url(f"{base}/cases/desk/")
    page.goto(f"{base}/cases/{number}/")
    assert "13912345678" in page.inner_text(".reporter")  # the office sees the reporter
    shot(page, "cases-case-office")
    log_out(page, base)

    log_in(page, base, "resident")
    page.goto(f"{base}/cases/mine/")
    card = page.locator(".my-case", has_text=number)
    card.locator("input[value=satisfied]").check()
    card.locator("button:has-text('提交评价')").click()
    page.wait_for_url(f"{base}/cases/mine/")
    assert "感谢您的评价" in page.inner_text("main")
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied"
    page.goto(f"{base}/cases/{number}/")
    timeline = page.inner_text(".case-timeline")
    for step in ("登记", "分派", "签收", "办结", "反馈诉求人", "评价"):
        assert step in timeline
    shot(page, "cases-case-closed")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator(".case-actions").is_visible()
    assert page.locator(".case-timeline").is_visible()
    shot(page, "cases-case-print")


def test_stale_page_shows_the_conflict(transactional_demo, live_server, page, shot) -> None:
    from gongzhi.cases import services
    from gongzhi.org.models import User

    case = services.case_register(
        channel="12345",
        estate="JX-E001",
        title="路灯不亮",
        description="小区路灯不亮",
        matter_code="JX-15-c",
        reporter_phone="13900001111",
    )
    base = live_server.url
    log_in(page, base, "wuye")
    page.goto(f"{base}/cases/{case.number}/")
    page.wait_for_selector(".form-accept")
    services.case_accept(case=case, actor=User.objects.get(username="wuye"))
    page.click(".form-accept button")
    page.wait_for_selector(".case-alert-conflict")
    assert "该案件刚被他人处理" in page.inner_text(".case-alert-conflict")
    shot(page, "cases-conflict")


def test_six_steps_with_photo_upload_through_htmx(
    transactional_demo, live_server, page, shot, tmp_path
) -> None:
    from PIL import Image

    from gongzhi.cases import services

    case = services.case_register(
        channel="patrol",
        estate="JX-E001",
        title="楼顶私搭乱建",
        description="8 号楼楼顶正在搭建彩钢房",
        reporting_unit=transactional_demo.unit("pc:鸿泰"),
        is_enforcement=True,
    )
    photo = tmp_path / "scene.jpg"
    Image.new("RGB", (64, 48), "orange").save(photo, "JPEG")
    base = live_server.url
    log_in(page, base, "wuye")
    page.goto(f"{base}/cases/{case.number}/")
    assert "发现" in page.inner_text(".stepper li.current")
    page.click(".stepper a[href='#next-step']")  # the step after the current one
    assert "拍照" in page.inner_text("#next-step h2")
    page.set_input_files("#next-step .form-photo input[name=photos]", str(photo))
    page.click("#next-step .form-photo button")
    page.wait_for_selector("#next-step .form-stop")
    assert "拍照" in page.inner_text(".stepper li.current")
    assert page.locator(".thumbs img").count() == 1
    page.fill("#next-step .form-stop textarea[name=measures]", "已责令停工，拆除材料暂扣")
    page.click("#next-step .form-stop button")
    page.wait_for_selector("#next-step .form-report")
    page.select_option(
        "#next-step .form-report select[name=receiving_unit]",
        transactional_demo.unit("urban_enforcement").code,
    )
    page.fill("#next-step .form-report input[name=contact]", "吴刚")
    page.fill("#next-step .form-report input[name=contact_phone]", "13800000000")
    page.fill("#next-step .form-report textarea[name=details]", "楼顶搭建彩钢房约 30 平方米")
    page.fill("#next-step .form-report textarea[name=opinion]", "请依法查处")
    page.fill("#next-step .form-report input[name=head]", "吴刚")
    shot(page, "cases-enforcement")
    page.click("#next-step .form-report button")
    page.wait_for_selector("text=呈报表 PDF")
    assert "呈报" in page.inner_text(".stepper li.current")
    shot(page, "cases-enforcement-reported")

"""The staff's case pages through the test client: the office's desk, a unit's inbox with
its clocks, the case page with masking, its forms and the conflict answer, enforcement steps."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, State
from gongzhi.cases.tests.pages import png, register, row, user

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=BJ)  # a Monday


def test_desk_shows_a_registered_case_with_a_suggestion_and_dispatch_works(demo, login) -> None:
    case = register(matter_code="")
    assert case.state == State.REGISTERED
    client = login("office")
    html = client.get("/cases/desk/").content.decode()
    line = row(html, case.number)
    assert "楼道垃圾没清" in line
    assert "JX-15-a 小区保洁" in line  # the classifier's suggestion
    assert "置信度" in line and "判断依据" in line  # with its confidence and why
    assert "嘉祥鸿泰物业服务有限公司" in line  # and where routing sends it
    response = client.post(
        f"/cases/{case.number}/act/dispatch/",
        {"matter_code": "JX-15-a", "expected_version": case.version, "next": "/cases/desk/"},
    )
    assert response.status_code == 302 and response["Location"] == "/cases/desk/"
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    assert case.lead_unit is not None and case.lead_unit.name == "嘉祥鸿泰物业服务有限公司"
    assert case.number not in client.get("/cases/desk/").content.decode()


def test_desk_is_for_the_office_only(demo, login) -> None:
    assert login("wuye").get("/cases/desk/").status_code == 403


def test_dispatch_without_matter_or_unit_shows_the_field_error(demo, login) -> None:
    case = register(matter_code="")
    client = login("office")
    response = client.post(
        f"/cases/{case.number}/act/dispatch/", {"expected_version": case.version}
    )
    assert response.status_code == 422
    assert "请选择事项或责任单位" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.REGISTERED


def test_returned_case_on_the_desk_shows_the_reason_and_can_be_overruled(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    s.case_return(case=case, actor=user("wuye"), reason="是绿化问题", claimed_matter_code="JX-15-b")
    client = login("office")
    line = row(client.get("/cases/desk/").content.decode(), case.number)
    assert "是绿化问题" in line and "JX-15-b" in line
    response = client.post(
        f"/cases/{case.number}/act/overrule/",
        {"reason": "保洁属物业", "expected_version": case.version, "next": "/cases/desk/"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.accountabilities.count() == 1


def test_inbox_shows_countdown_and_marks_overdue_cases_red(demo, login) -> None:
    with time_machine.travel(NOW, tick=False):
        old = register(matter_code="JX-15-a", title="旧案子", now=NOW - dt.timedelta(days=20))
        fresh = register(matter_code="JX-15-a", title="新案子")
        html = login("wuye").get("/cases/inbox/").content.decode()
    old_row, fresh_row = row(html, old.number), row(html, fresh.number)
    assert 'class="overdue"' in old_row and "已超时" in old_row
    assert "overdue" not in fresh_row
    assert "距签收时限 2 小时 0 分" in fresh_row
    assert "新派单：新案子" in html  # the unit's unread notification
    with time_machine.travel(NOW, tick=False):
        login("wuye").get(f"/cases/{fresh.number}/")  # opening the case reads it
        assert "新派单：新案子" not in login("wuye").get("/cases/inbox/").content.decode()


def test_inbox_task_check_in(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    s.case_accept(case=case, actor=user("wuye"))
    s.case_whistle(
        case=case,
        actor=user("jiedao"),
        street_unit=demo.unit("street:嘉祥街道").code,
        units=[demo.unit("housing_bureau").code],
        instructions="请到场",
    )
    client = login("zjj")
    html = client.get("/cases/inbox/").content.decode()
    task = case.tasks.get()
    assert "吹哨报到" in row(html, f"/cases/{case.number}/")
    response = client.post(
        f"/cases/{case.number}/act/task_checkin/", {"task": task.pk, "next": "/cases/inbox/"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "checked_in"


def test_case_page_masks_the_reporter_for_the_auditor_and_shows_the_handler(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    auditor = login("auditor").get(f"/cases/{case.number}/")
    assert auditor.status_code == 200
    html = auditor.content.decode()
    assert "139****5678" in html and "13912345678" not in html
    # The room as the page writes it ("502室"): a bare "502" can be a timestamp's microseconds.
    assert "王小明" not in html and "502室" not in html
    assert 'name="version"' not in html  # the auditor reads only
    html = login("wuye").get(f"/cases/{case.number}/").content.decode()
    assert "13912345678" in html and "王小明" in html and "502室" in html
    assert "签收" in html and "登记" in html  # an action form and the timeline


def test_case_page_hidden_from_outsiders(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    assert login("resident").get(f"/cases/{case.number}/").status_code == 404
    assert Client().get(f"/cases/{case.number}/").status_code == 302


def test_stale_version_gets_409_with_the_conflict_message(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    client = login("wuye")
    first = client.post(f"/cases/{case.number}/act/accept/", {"expected_version": case.version})
    assert first.status_code == 302
    second = client.post(f"/cases/{case.number}/act/accept/", {"expected_version": case.version})
    assert second.status_code == 409
    html = second.content.decode()
    assert "该案件刚被他人处理" in html and f'href="/cases/{case.number}/"' in html
    assert "重新载入" in html
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.events.filter(action="accept").count() == 1


def test_htmx_action_swaps_the_panel(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    client = login("wuye")
    response = client.post(
        f"/cases/{case.number}/act/accept/",
        {"expected_version": case.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("{% load") is False and 'id="case-panel"' in html
    assert "<html" not in html and "已签收" in html
    stale = client.post(
        f"/cases/{case.number}/act/start/",
        {"expected_version": case.version},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409 and "该案件刚被他人处理" in stale.content.decode()


def test_action_with_missing_reason_shows_field_error_and_writes_nothing(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    client = login("wuye")
    response = client.post(
        f"/cases/{case.number}/act/return/",
        {"expected_version": case.version, "reason": "不归我们"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请写明您认为适用的职责清单事项编码" in html
    assert "不归我们" in html  # what was typed is kept
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_home_and_nav_per_role(demo, login) -> None:
    register(matter_code="")
    anon = Client().get("/").content.decode()
    assert "/cases/report/" in anon and "/cases/track/" in anon
    office = login("office").get("/").content.decode()
    assert "/cases/desk/" in office and "分派台" in office
    wuye = login("wuye").get("/").content.decode()
    assert "/cases/inbox/" in wuye and "本单位待办" in wuye
    resident = login("resident").get("/").content.decode()
    assert "/cases/mine/" in resident and "我要报事" in resident


def test_enforcement_stepper_and_forms(demo, login) -> None:
    case = s.case_register(
        channel="patrol",
        estate="JX-E001",
        title="占道经营",
        description="小区门口占道经营",
        reporting_unit=demo.unit("pc:鸿泰"),
        is_enforcement=True,
    )
    client = login("wuye")
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'class="stepper"' in html and 'aria-current="step">发现' in html
    assert 'name="photos"' in html
    photo = BytesIO(png())
    photo.name = "p.png"
    response = client.post(
        f"/cases/{case.number}/act/photo/", {"expected_version": case.version, "photos": [photo]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'aria-current="step">拍照' in html and 'name="measures"' in html
    client.post(
        f"/cases/{case.number}/act/stop/", {"expected_version": case.version, "measures": "劝离"}
    )
    case.refresh_from_db()
    assert case.enforcement_step == "stop"
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert 'name="receiving_unit"' in html and 'name="head"' in html
    bad = client.post(f"/cases/{case.number}/act/report/", {"expected_version": case.version})
    assert bad.status_code == 422 and "请选择接收单位" in bad.content.decode()


def test_street_office_whistles_from_the_case_page(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    client = login("jiedao")
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "街道吹哨、部门报到" in html
    assert login("wuye").get(f"/cases/{case.number}/").content.decode().count("form-whistle") == 0
    client = login("jiedao")
    street = demo.unit("street:嘉祥街道").code
    bad = client.post(
        f"/cases/{case.number}/act/whistle/",
        {"expected_version": case.version, "street_unit": street, "instructions": "到场"},
    )
    assert bad.status_code == 422 and "请至少选择一个部门" in bad.content.decode()
    response = client.post(
        f"/cases/{case.number}/act/whistle/",
        {
            "expected_version": case.version,
            "street_unit": street,
            "units": [demo.unit("housing_bureau").code],
            "instructions": "请明早九点到场",
        },
    )
    assert response.status_code == 302
    task = case.tasks.get()
    assert task.kind == "whistle" and task.unit == demo.unit("housing_bureau")
    html = login("zjj").get(f"/cases/{case.number}/").content.decode()
    assert f"/cases/{case.number}/act/task_checkin/" in html
    assert f'name="task" value="{task.pk}"' in html


def test_report_form_links_to_the_pdf_and_takes_opinions(demo, login) -> None:
    case = s.case_register(
        channel="patrol",
        estate="JX-E001",
        title="私搭乱建",
        description="楼顶私搭乱建",
        reporting_unit=demo.unit("pc:鸿泰"),
        is_enforcement=True,
    )
    wuye = user("wuye")
    s.case_enforcement_photo(case=case, actor=wuye, photos=[s.Upload("p.png", png())])
    s.case_enforcement_stop(case=case, actor=wuye, measures="已劝阻停工")
    s.case_enforcement_report(
        case=case,
        actor=wuye,
        receiving_unit=demo.unit("urban_enforcement"),
        contact="吴刚",
        contact_phone="13800000000",
        details="楼顶搭建彩钢房",
        opinion="请依法查处",
        head="吴刚",
    )
    html = login("zfj").get(f"/cases/{case.number}/").content.decode()
    assert f"/cases/{case.number}/report-form.pdf" in html
    assert 'aria-current="step">呈报' in html and "请依法查处" in html
    client = login("zfj")
    response = client.post(
        f"/cases/{case.number}/act/opinion/",
        {"version": Case.objects.get(pk=case.pk).version, "opinion": "同意查处", "head": "孙强"},
    )
    assert response.status_code == 302
    assert "同意查处" in client.get(f"/cases/{case.number}/").content.decode()


def test_lists_do_not_query_per_row(demo, login) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    office, wuye = Client(), Client()
    office.force_login(user("office"))
    wuye.force_login(user("wuye"))
    register(matter_code="")
    register(matter_code="JX-15-a")
    count(office, "/cases/desk/"), count(wuye, "/cases/inbox/")  # warm the caches
    desk, inbox = count(office, "/cases/desk/"), count(wuye, "/cases/inbox/")
    for _ in range(5):
        register(matter_code="")
        register(matter_code="JX-15-a")
    assert count(office, "/cases/desk/") == desk
    assert count(wuye, "/cases/inbox/") == inbox


def test_transfer_from_the_case_page_names_the_transferring_unit(demo, login) -> None:
    case = register(matter_code="JX-15-a")
    client = login("wuye")
    response = client.post(
        f"/cases/{case.number}/act/transfer/",
        {
            "expected_version": case.version,
            "to_unit": demo.unit("housing_bureau").code,
            "reason": "属房屋安全问题",
        },
    )
    # wuye may still read the case it passed on, and sees the transfer in the timeline.
    assert response.status_code == 302
    event = case.events.get(action="transfer")
    assert event.actor_unit == demo.unit("pc:鸿泰") and event.unit == demo.unit("housing_bureau")
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "属房屋安全问题" in html and "139****5678" in html  # no longer handling it


def test_dissatisfied_rating_reopens_and_the_unit_appeals_from_the_page(demo, login) -> None:
    resident, wuye = user("resident"), user("wuye")
    case = register(matter_code="JX-15-a", reporter_user=resident)
    s.case_accept(case=case, actor=wuye)
    s.case_handle(case=case, actor=wuye, result="已清理")
    s.case_feedback(case=case, actor=user("office"))
    client = login("resident")
    response = client.post(
        f"/cases/{case.number}/act/rate/",
        {"rating": "dissatisfied", "reason": "没打扫干净", "expected_version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.reopen_count == 1
    client = login("wuye")
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "对评价提出申诉" in html
    response = client.post(
        f"/cases/{case.number}/act/appeal/",
        {"reason": "已按标准清扫，有照片为证", "expected_version": case.version},
    )
    assert response.status_code == 302
    client = login("office")
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert "裁定评价申诉" in html and "已按标准清扫" in html
    case.refresh_from_db()
    missing = client.post(
        f"/cases/{case.number}/act/appeal_decide/",
        {"reason": "照片属实", "expected_version": case.version},
    )
    assert missing.status_code == 422 and "必填" in missing.content.decode()
    response = client.post(
        f"/cases/{case.number}/act/appeal_decide/",
        {"upheld": "true", "reason": "照片属实", "expected_version": case.version},
    )
    assert response.status_code == 302
    assert case.appeals.get().state == "upheld"


def test_case_page_offers_only_units_serving_the_estate(demo, login) -> None:
    from gongzhi.cases import services as svc
    from gongzhi.org.models import Unit

    case = svc.case_register(
        channel="12345",
        estate="JX-E001",
        title="违建",
        description="楼顶加盖",
        matter_code="JX-04-a",
    )
    page = login("zfj").get(f"/cases/{case.number}/").content.decode()
    assert demo.units["housing_bureau"].name in page
    elsewhere = Unit.objects.exclude(jurisdiction__path__startswith="/370000000000/").first()
    assert elsewhere is not None
    assert f">{elsewhere.name}<" not in page


def test_location_reads_naturally_whatever_was_typed(demo, login) -> None:
    # Issue 7 defect 10: "5号楼号楼 2单元单元".
    case = register(matter_code="JX-15-a", building="5号楼", unit_no="2单元", room="302")
    html = login("office").get(f"/cases/{case.number}/").content.decode()
    assert "5号楼 2单元 302室" in html
    assert "号楼号楼" not in html and "单元单元" not in html
    plain = register(matter_code="JX-15-a", building="5", unit_no="2")
    assert "5号楼 2单元" in login("office").get(f"/cases/{plain.number}/").content.decode()


def test_a_missed_acceptance_limit_is_shown_as_such(demo, login) -> None:
    # Issue 7 defect 10: the acceptance limit and its breach, not only the resolution's.
    case = register(matter_code="JX-03-01")  # the county housing bureau; no office above
    assert case.accept_due_at is not None
    s.case_sweep(now=case.accept_due_at + dt.timedelta(hours=1))
    case.refresh_from_db()
    assert case.breached_at is not None
    html = login("zjj").get(f"/cases/{case.number}/").content.decode()
    assert "签收时限" in html and "签收已超时" in html
    # In the head beside the running clock, and still after the unit signed for it late.
    assert "签收超时" in html[html.index('class="case-head"') : html.index('class="case-grid"')]
    s.case_accept(case=case, actor=user("zjj"))
    html = login("zjj").get(f"/cases/{case.number}/").content.decode()
    assert "签收超时" in html[html.index('class="case-head"') : html.index('class="case-grid"')]


def test_the_case_page_puts_the_next_step_first(demo, login) -> None:
    """Issue 11 item 4: one next step for this user (from the action registry), the other
    actions folded behind it; a reader with nothing to do gets no next step."""
    case = register(matter_code="JX-15-a")
    html = login("wuye").get(f"/cases/{case.number}/").content.decode()
    first = html[html.index('id="next-step"') :]
    assert "下一步：签收" in first and "form-accept" in first.split("</section>")[0]
    others = html[html.index('class="other-actions"') :].split("</details>")[0]
    assert "form-accept" not in others and "form-return" in others
    s.case_accept(case=case, actor=user("wuye"))
    html = login("wuye").get(f"/cases/{case.number}/").content.decode()
    assert "下一步：开始办理" in html
    assert 'id="next-step"' not in login("auditor").get(f"/cases/{case.number}/").content.decode()


def test_unit_pickers_are_checkbox_lists_with_a_filter(demo, login) -> None:
    """No Ctrl-click: several units are ticked in a list that a typed name filters."""
    case = register(matter_code="JX-15-a")
    client = login("office")
    html = client.get(f"/cases/{case.number}/").content.decode()
    form = html[html.index("form-joint") :].split("</form>")[0]
    assert "<select" not in form.split("unit-picker")[1].split("</fieldset>")[0]
    assert "data-filter-list" in form and 'type="checkbox" name="units"' in form


def test_an_enforcement_case_closed_by_a_rating_records_the_closing_step(demo, login) -> None:
    # Issue 7 defect 7: 结案 is the sixth step however the case closes (003 四).
    case = s.case_register(
        channel="patrol",
        estate="JX-E003",
        title="私建彩钢棚",
        description="院内私建彩钢棚",
        reporting_unit=demo.unit("street:嘉祥街道"),
        is_enforcement=True,
        actor=user("jiedao"),
    )
    s.case_handle(case=case, actor=user("jiedao"), result="已拆除")
    s.case_feedback(case=Case.objects.get(pk=case.pk), actor=user("office"))
    s.case_rate(case=Case.objects.get(pk=case.pk), actor=user("office"), rating="satisfied")
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.enforcement_step == "close"
    assert case.events.filter(action="step_close").count() == 1
    html = login("office").get(f"/cases/{case.number}/").content.decode()
    assert 'aria-current="step">结案' in html


def test_desk_shows_repeats_of_one_estate_and_matter(demo, login) -> None:
    first = register(matter_code="")
    client = login("office")
    html = client.get("/cases/desk/").content.decode()
    assert "重复诉求" not in row(html, first.number)
    more = [
        register(matter_code="", title="楼道垃圾还没清", description="3号楼楼道的垃圾没清，一周了"),
        register(matter_code="", title="楼道垃圾没人清", description="3号楼楼道垃圾没清已经一周"),
    ]
    html = client.get("/cases/desk/").content.decode()
    line = row(html, first.number)
    assert "重复诉求" in line
    assert all(c.number in line for c in more)


def test_desk_counts_routed_cases_of_the_same_matter_as_repeats(demo, login) -> None:
    routed = [register(matter_code="JX-15-a", title=f"保洁问题{n}") for n in range(2)]
    waiting = register(matter_code="", title="楼道没人打扫", description="楼道好久没人打扫了")
    html = login("office").get("/cases/desk/").content.decode()
    line = row(html, waiting.number)
    assert "同类（JX-15-a）共 3 件" in line
    assert all(c.number in line for c in routed)

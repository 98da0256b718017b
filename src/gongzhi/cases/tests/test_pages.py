"""The case pages through the test client, as the people who use them: the office's
desk, a unit's inbox with its clocks, the case page with masking and the conflict answer,
the resident's report form, tracking and rating, and the estate's public list."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from PIL import Image

from gongzhi.cases import services as s
from gongzhi.cases.models import Attachment, Case, State
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=BJ)  # a Monday


def png(color: str = "red") -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def user(name: str) -> User:
    return User.objects.get(username=name)


def register(**kw: Any) -> Case:
    data: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道垃圾没清",
        "description": "3 号楼楼道垃圾没清，已经一周",
        "reporter_name": "王小明",
        "reporter_phone": "13912345678",
        "building": "3",
        "room": "502",
    }
    data.update(kw)
    return s.case_register(**data)


def row(html: str, marker: str) -> str:
    """The table row of the page that holds ``marker``."""
    at = html.index(marker)
    return html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]


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
    assert "王小明" not in html and "502" not in html
    assert 'name="version"' not in html  # the auditor reads only
    html = login("wuye").get(f"/cases/{case.number}/").content.decode()
    assert "13912345678" in html and "王小明" in html
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


def test_report_form_bad_input_gives_422_with_field_errors_and_writes_nothing(demo) -> None:
    before = Case.objects.count()
    client = Client()
    bad = BytesIO(b"not really an image")
    bad.name = "photo.jpg"
    response = client.post(
        "/cases/report/",
        {
            "estate": "JX-E001",
            "title": "",
            "description": "路灯坏了",
            "reporter_phone": "12ab",
            "files": [bad],
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写标题" in html
    response = client.post(
        "/cases/report/",
        {"estate": "JX-E001", "title": "路灯", "description": "路灯坏了", "reporter_phone": "12ab"},
    )
    assert response.status_code == 422
    assert "电话号码应为 7 到 12 位数字" in response.content.decode()
    bad.seek(0)
    response = client.post(
        "/cases/report/",
        {
            "estate": "JX-E001",
            "title": "路灯",
            "description": "路灯坏了",
            "reporter_phone": "13900001111",
            "files": [bad],
        },
    )
    assert response.status_code == 422
    assert "不是图片" in response.content.decode()
    assert Case.objects.count() == before


def test_anonymous_report_and_track(demo) -> None:
    client = Client()
    form = client.get("/cases/report/").content.decode()
    found = re.search(r'name="form_key" value="([0-9a-f]+)"', form)
    assert found is not None
    key = found.group(1)
    photo = BytesIO(png())
    photo.name = "scene.png"
    data = {
        "estate": "JX-E001",
        "building": "5",
        "room": "301",
        "title": "楼道灯坏了",
        "description": "5 号楼楼道灯不亮",
        "matter_code": "JX-15-c",
        "reporter_name": "赵六",
        "reporter_phone": "139 0000 1111",
        "form_key": key,
        "files": [photo],
    }
    response = client.post("/cases/report/", data)
    assert response.status_code == 200
    case = Case.objects.get(title="楼道灯坏了")
    assert case.number in response.content.decode()
    assert case.channel == "web" and case.reporter_user is None and case.state == "dispatched"
    assert case.attachments.get().kind == Attachment.Kind.PHOTO
    # The same form sent twice makes one case.
    photo.seek(0)
    client.post("/cases/report/", data)
    assert Case.objects.filter(title="楼道灯坏了").count() == 1
    shown = re.search(r'class="track-key">([A-Z0-9]+)<', response.content.decode())
    assert shown is not None
    track_key = shown.group(1)
    html = client.post("/cases/track/", {"number": case.number, "key": track_key.lower()})
    text = html.content.decode()
    assert html.status_code == 200
    assert "139****1111" in text and "13900001111" not in text
    assert "赵*" in text and "301" not in text and "嘉祥鸿泰物业服务有限公司" in text
    # A phone number no longer opens a case; a wrong number and a wrong key answer alike.
    phone = client.post("/cases/track/", {"number": case.number, "key": "13900001111"})
    wrong_number = client.post("/cases/track/", {"number": "370829-2026-999999", "key": track_key})
    assert phone.status_code == wrong_number.status_code == 404
    assert "楼道灯坏了" not in phone.content.decode()
    assert _errorbox(phone) == _errorbox(wrong_number)


def _errorbox(response: Any) -> str:
    found = re.search(r'<div class="errorbox"[^>]*>(.*?)</div>', response.content.decode())
    return found.group(1) if found else ""


def test_tracking_is_rate_limited_per_case_and_client(demo, settings) -> None:
    # Issue 8 defect 3: guessing a secret must stop long before it could succeed.
    settings.GONGZHI_TRACK_PER_CASE_HOUR = 3
    cache.clear()
    case = register(matter_code="JX-15-a")
    client = Client(REMOTE_ADDR="10.0.0.7")
    codes = [
        client.post("/cases/track/", {"number": case.number, "key": f"WRONG{i}"}).status_code
        for i in range(5)
    ]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert other.post("/cases/track/", {"number": case.number, "key": "X"}).status_code == 429


def test_photo_is_streamed_only_to_readers(demo, login) -> None:
    case = register(matter_code="JX-15-a", uploads=[s.Upload("a.png", png())])
    att = case.attachments.get()
    url = f"/cases/{case.number}/files/{att.pk}/"
    response = login("wuye").get(url + "?thumb=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    html = login("wuye").get(f"/cases/{case.number}/").content.decode()
    assert url in html and "/media/" not in html
    assert login("resident").get(url).status_code == 404


def test_resident_reports_sees_my_cases_and_rates(demo, login) -> None:
    client = login("resident")
    response = client.post(
        "/cases/report/",
        {
            "estate": "JX-E001",
            "title": "垃圾没清",
            "description": "楼下垃圾没清",
            "matter_code": "JX-15-a",
        },
    )
    case = Case.objects.get(title="垃圾没清")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    assert case.reporter_user == user("resident")
    s.case_accept(case=case, actor=user("wuye"))
    s.case_handle(case=case, actor=user("wuye"), result="已清理干净")
    s.case_feedback(case=case, actor=user("office"))
    html = client.get("/cases/mine/").content.decode()
    assert "已清理干净" in html and "待评价" in html and 'name="rating"' in html
    assert "您的诉求“垃圾没清”已办结，请评价" in html  # the unread notice
    bad = client.post(
        f"/cases/{case.number}/act/rate/",
        {"rating": "dissatisfied", "expected_version": case.version, "next": "/cases/mine/"},
    )
    assert bad.status_code == 422 and "不满意时请说明理由" in bad.content.decode()
    ok = client.post(
        f"/cases/{case.number}/act/rate/",
        {"rating": "satisfied", "expected_version": case.version, "next": "/cases/mine/"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/cases/mine/"
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied"


def test_estate_public_list_has_no_personal_data(demo) -> None:
    case = register(matter_code="JX-15-a")
    html = Client().get("/estates/JX-E001/").content.decode()
    # Only the default public summary (the matter at the estate), not the reporter's words.
    assert case.number in html and "小区保洁" in html and "楼道垃圾没清" not in html
    assert "13912345678" not in html and "139****" not in html and "王小明" not in html
    assert "502" not in html


def test_free_text_personal_data_never_reaches_the_public_board(demo, login) -> None:
    # Issue 7 defect 9: a title with a room, a name and a phone number.
    case = register(
        matter_code="JX-15-a",
        title="5号楼302王秀英13812345678家漏水",
        reporter_name="王秀英",
        reporter_phone="13812345678",
    )
    for html in (
        Client().get("/estates/JX-E001/").content.decode(),
        Client().get("/api/cases/public/JX-E001").content.decode(),
    ):
        assert "13812345678" not in html and "302" not in html and "王秀英" not in html
    # Roles that may not see the reporter get the free text masked too.
    auditor = login("auditor").get(f"/cases/{case.number}/").content.decode()
    assert "13812345678" not in auditor and "王秀英" not in auditor and "5号楼302" not in auditor
    assert "138****5678" in auditor
    # The office approves a public summary; personal data in it is refused.
    office = login("office")
    refused = office.post(
        f"/cases/{case.number}/act/publish/", {"summary": "王秀英家漏水 13812345678"}
    )
    assert refused.status_code == 422
    ok = office.post(f"/cases/{case.number}/act/publish/", {"summary": "5号楼楼道漏水，物业已维修"})
    assert ok.status_code == 302
    assert "5号楼楼道漏水，物业已维修" in Client().get("/estates/JX-E001/").content.decode()


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


def test_anonymous_reports_are_rate_limited_per_address(demo, settings) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.GONGZHI_ANON_REPORTS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="203.0.113.7")
    data = {
        "estate": "JX-E001",
        "title": "楼道灯坏了",
        "description": "不亮",
        "reporter_phone": "13900001111",
    }
    for n in range(2):
        assert client.post("/cases/report/", {**data, "form_key": f"k{n}"}).status_code == 200
    refused = client.post("/cases/report/", {**data, "form_key": "k3"})
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()
    assert Case.objects.filter(title="楼道灯坏了").count() == 2
    # Another address is not held back.
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post("/cases/report/", {**data, "form_key": "k4"}).status_code == 200
    cache.clear()


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


def test_the_report_form_prefills_the_residents_own_name(demo, login) -> None:
    html = login("resident").get("/cases/report/").content.decode()
    assert 'value="李建国"' in html and "居民 李建国" not in html


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


def test_a_decompression_bomb_is_refused_at_the_report_form(demo) -> None:
    # Issue 8 defect 7: a 12,000 × 12,000 px PNG of a few hundred KB is refused from its
    # header, never decoded, and nothing is registered.
    from gongzhi.common.tests.test_uploads import png_bomb

    bomb = BytesIO(png_bomb())
    bomb.name = "bomb.png"
    before = Case.objects.count()
    response = Client().post(
        "/cases/report/",
        {
            "estate": "JX-E001",
            "title": "楼道灯坏了",
            "description": "楼道灯不亮",
            "reporter_phone": "13900001111",
            "files": [bomb],
        },
    )
    assert response.status_code == 422
    assert "12000×12000" in response.content.decode()
    assert Case.objects.count() == before


def test_thumbnails_are_made_once(demo, login) -> None:
    from django.core.files.storage import default_storage

    from gongzhi.common.uploads import thumbnail_name

    case = register(matter_code="JX-15-a", uploads=[s.Upload("a.png", png())])
    att = case.attachments.get()
    url = f"/cases/{case.number}/files/{att.pk}/?thumb=1"
    client = login("wuye")
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    made = b"".join(first.streaming_content)
    assert default_storage.exists(thumbnail_name(att.sha256, 320))
    assert b"".join(client.get(url).streaming_content) == made


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

"""The residents' and the public's pages through the test client: the report form, tracking
and rating, uploads and thumbnails, and the estate's public list without personal data."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client

from gongzhi.cases import services as s
from gongzhi.cases.models import Attachment, Case, State
from gongzhi.cases.tests.pages import png, register, user

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=BJ)  # a Monday


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
    assert "赵*" in text and "301室" not in text and "嘉祥鸿泰物业服务有限公司" in text
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
    assert "502室" not in html  # the room as pages write it; a bare "502" can be a timestamp


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
        assert "13812345678" not in html and "5号楼302" not in html and "王秀英" not in html
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


def test_the_report_form_prefills_the_residents_own_name(demo, login) -> None:
    html = login("resident").get("/cases/report/").content.decode()
    assert 'value="李建国"' in html and "居民 李建国" not in html


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

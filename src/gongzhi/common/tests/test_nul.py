"""U+0000 in any text is refused with a Chinese 400 at every door, on SQLite and on
PostgreSQL alike (PostgreSQL cannot store or compare it), and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gongzhi.cases.models import Case

pytestmark = pytest.mark.django_db

BODY = {
    "channel": "12345",
    "estate": "JX-E001",
    "title": "电梯困人",
    "description": "5号楼电梯困住两人",
    "matter_code": "JX-06-04",
    "reporter_name": "张小明",
    "reporter_phone": "13812345678",
}


def test_query_parameter(demo: Any, login: Any) -> None:
    response = login("office").get(
        "/api/catalog/suggest", {"estate": "JX-E001", "text": "电\x00梯"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_text"
    assert "空字符" in response.json()["message"]


def test_json_body_escape(demo: Any, login: Any) -> None:
    before = Case.objects.count()
    body = json.dumps({**BODY, "title": "电梯\u0000困人"})
    assert "\\u0000" in body
    response = login("dispatcher").post("/api/cases/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_text"
    assert Case.objects.count() == before


def test_an_escaped_backslash_before_u0000_is_text(demo: Any, login: Any) -> None:
    body = json.dumps({**BODY, "title": "路径 C:\\u0000 不是空字符"})
    response = login("dispatcher").post("/api/cases/", body, content_type="application/json")
    assert response.status_code != 400 or response.json()["code"] != "bad_text"


def test_page_form(demo: Any, client: Client) -> None:
    before = Case.objects.count()
    response = client.post("/cases/report/", {"estate": "JX-E001", "title": "a\x00b"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    assert Case.objects.count() == before


def test_multipart_field_is_checked_and_file_bytes_are_not(demo: Any, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.bin", b"\x00\x01\x02", content_type="application/octet-stream")
    refused = client.post("/cases/report/", {"title": "a\x00b", "photos": photo})
    assert refused.status_code == 400
    photo.seek(0)
    other = client.post("/cases/report/", {"title": "ab", "photos": photo})
    assert other.status_code != 400 or "空字符" not in other.content.decode()

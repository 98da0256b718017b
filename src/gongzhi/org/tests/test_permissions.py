from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.org.permissions import scope_for


@pytest.mark.django_db
def test_scopes_follow_roles(demo) -> None:
    office = scope_for(demo.users["office"])
    assert office.manages_jurisdiction(demo.jurisdictions["建设路社区"])
    assert not office.manages_jurisdiction(demo.jurisdictions["赤壁市"])
    zjj = scope_for(demo.users["zjj"])
    assert zjj.in_unit(demo.units["housing_bureau"])
    assert not zjj.in_unit(demo.units["urban_enforcement"])
    assert not zjj.manages_jurisdiction(demo.county)
    auditor = scope_for(demo.users["auditor"])
    assert auditor.reads_jurisdiction(demo.county) and not auditor.manages_jurisdiction(demo.county)
    assert scope_for(demo.users["admin"]).manages_jurisdiction(demo.jurisdictions["赤壁市"])


@pytest.mark.django_db
def test_unit_staff_see_only_their_unit(demo, login) -> None:
    client = login("zjj")
    html = client.get("/units/").content.decode()
    assert "县住房和城乡建设局" in html
    assert "县综合行政执法局" not in html
    assert client.get(f"/units/{demo.units['urban_enforcement'].code}/").status_code == 403
    assert client.get(f"/units/{demo.units['housing_bureau'].code}/").status_code == 200


@pytest.mark.django_db
def test_office_sees_every_unit_of_its_county(demo, login) -> None:
    html = login("office").get("/units/").content.decode()
    assert "县住房和城乡建设局" in html and "县综合行政执法局" in html and "嘉祥街道办事处" in html


@pytest.mark.django_db
def test_staff_pages_need_login(demo, client: Client) -> None:
    response = client.get("/units/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/org/me").status_code == 401


@pytest.mark.django_db
def test_me_api_lists_roles(demo, login) -> None:
    body = login("jiedao").get("/api/org/me").json()
    assert body["roles"] == ["office_staff", "unit_handler"]


@pytest.mark.django_db
def test_slowdown_after_repeated_failed_logins(demo, client: Client, password: str) -> None:
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "zjj", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "zjj", "password": password})
    assert response.status_code == 429
    assert "请 30 秒后再试" in response.content.decode()
    other = Client()
    ok = other.post("/accounts/login/", {"username": "zfj", "password": password})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_login_with_password_reaches_role_aware_home(demo, client: Client, password: str) -> None:
    response = client.post("/accounts/login/", {"username": "office", "password": password})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "联席会议办公室" in html and "辖区管理" in html
    client.logout()
    client.post("/accounts/login/", {"username": "wuye", "password": password})
    html = client.get("/").content.decode()
    assert "嘉祥鸿泰物业服务有限公司" in html and "辖区管理" not in html

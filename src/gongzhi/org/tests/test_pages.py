import pytest
from django.test import Client


@pytest.mark.django_db
def test_estate_public_page_shows_jiaxiang_duties_without_login(demo, client: Client) -> None:
    response = client.get("/estates/JX-E001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "曾子花园" in html
    assert "县住房和城乡建设局" in html
    assert "室内装修擅自改变房屋结构" in html
    assert "003 二(三)1" in html


@pytest.mark.django_db
def test_estate_without_company_or_committee_says_who_acts(demo, client: Client) -> None:
    html = client.get("/estates/JX-E003/").content.decode()
    assert "本小区无物业服务企业，由街道办事处负责日常管理" in html
    assert "建设路社区居民委员会代行职责" in html


@pytest.mark.django_db
def test_public_estate_page_search(demo, client: Client) -> None:
    html = client.get("/estates/JX-E001/", {"q": "电梯"}).content.decode()
    assert "电梯困人" in html and "<td>私搭乱建</td>" not in html
    html = client.get("/estates/", {"q": "卧龙"}).content.decode()
    assert "卧龙山庄" in html and "曾子花园" not in html
    assert client.get("/estates/NOPE/").status_code == 404


@pytest.mark.django_db
def test_public_apis(demo, client: Client) -> None:
    estates = client.get("/api/org/estates").json()
    assert {e["code"] for e in estates} >= {"JX-E001", "JX-E005"}
    units = client.get("/api/org/estates/JX-E001/units").json()
    assert any(u["name"] == "建设路社区居民委员会" for u in units)
    matters = client.get("/api/catalog/370829000000/matters").json()
    assert any(m["code"] == "JX-06-04" and m["lead_kind"] == "market_regulation" for m in matters)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200 and "/api/catalog/route" in schema.json()["paths"]


@pytest.mark.django_db
def test_admin_pages_open_in_chinese(demo, login) -> None:
    client = login("admin")
    for url in (
        "/admin/",
        "/admin/catalog/catalog/",
        "/admin/catalog/mattertype/",
        "/admin/org/unit/",
        "/admin/org/estate/",
        "/admin/org/body/",
        "/admin/common/auditevent/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get("/admin/").content.decode()
    assert "职责清单" in html and "成员单位" in html and "审计事件" in html
    catalog = demo.county.catalog
    response = client.post(
        "/admin/catalog/catalog/",
        {"action": "export_xlsx", "_selected_action": [catalog.pk]},
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")

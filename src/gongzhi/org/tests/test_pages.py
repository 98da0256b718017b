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

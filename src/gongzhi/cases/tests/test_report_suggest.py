"""The report form's typing suggestion (issue 13): a small page fragment with the same
answer as ``POST /api/catalog/classify`` — the matter in plain words and its unit, up to
two alternatives to choose, no internal codes — or, when the classifier abstains, that the
office will read it. Anonymous residents are rate-limited; the form works without it."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from gongzhi.cases.models import Case

pytestmark = pytest.mark.django_db
URL = "/cases/report/suggest/"
FUMES = "楼下饭店的油烟熏得家里没法开窗"


def test_suggestion_names_the_matter_and_unit_in_plain_words(demo, client, login) -> None:
    html = client.get(URL, {"estate": "JX-E001", "description": FUMES}).content.decode()
    api = login("office").post(
        "/api/catalog/classify",
        {"estate": "JX-E001", "text": FUMES},
        content_type="application/json",
    )
    answer = api.json()
    assert "这看起来像：" in html and answer["matter"]["name"] in html
    assert "由 济宁市生态环境局嘉祥县分局 负责" in html
    for alternative in answer["alternatives"][:2]:
        assert alternative["name"] in html
    # Internal codes only in the URLs that choose a matter, never in the words shown.
    shown = re.sub(r'hx-get="[^"]*"', "", html)
    for code in [answer["matter"]["code"], *(a["code"] for a in answer["alternatives"])]:
        assert code not in shown and f"selected={code}" in html
    # Clicking asks for the matter options with the chosen one selected.
    options = client.get(
        "/cases/report/matters/", {"estate": "JX-E001", "selected": answer["matter"]["code"]}
    ).content.decode()
    assert f'value="{answer["matter"]["code"]}" selected' in options


def test_abstaining_says_the_office_will_read_it(demo, client) -> None:
    html = client.get(URL, {"estate": "JX-E001", "description": "我父亲的养老金这个月又没发下来"})
    assert "提交后由联席会议办公室阅读并分派" in html.content.decode()
    # Too little text, or no estate: nothing to say yet.
    assert client.get(URL, {"estate": "JX-E001", "title": "油"}).content.decode().strip() == ""
    assert client.get(URL, {"description": FUMES}).content.decode().strip() == ""


def test_anonymous_suggestions_are_rate_limited(demo, client, login, settings) -> None:
    cache.clear()
    settings.GONGZHI_ANON_SUGGESTIONS_PER_MINUTE = 2
    params = {"estate": "JX-E001", "description": FUMES}
    for _ in range(2):
        assert "这看起来像" in client.get(URL, params).content.decode()
    limited = client.get(URL, params).content.decode()
    assert "这看起来像" not in limited and "请稍后再看系统建议" in limited
    # A signed-in resident is not counted.
    assert "这看起来像" in login("resident").get(URL, params).content.decode()


def test_form_carries_the_htmx_hooks_and_submits_without_them(demo, client) -> None:
    html = client.get("/cases/report/").content.decode()
    assert 'id="report-suggest"' in html and "/cases/report/suggest/" in html
    response = client.post(
        "/cases/report/",
        {
            "estate": "JX-E001",
            "title": "油烟",
            "description": FUMES,
            "reporter_phone": "13912345678",
            "form_key": "nojs-1",
        },
    )
    assert response.status_code == 200 and "report_done" not in response.content.decode()
    assert Case.objects.filter(title="油烟", estate__code="JX-E001").exists()

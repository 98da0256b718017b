"""The cases JSON API: token intake with idempotency, field errors in Chinese, masking per
role, conflicts, permissions, the public list and the OpenAPI schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, State
from gongzhi.common.apiauth import api_token_create
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db

BODY = {
    "channel": "12345",
    "estate": "JX-E001",
    "title": "电梯困人",
    "description": "5号楼电梯困住两人",
    "matter_code": "JX-06-04",
    "reporter_name": "张小明",
    "reporter_phone": "13812345678",
    "building": "5",
    "room": "1201",
}


def post(client: Client, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def hotline(demo) -> Client:
    key = api_token_create(
        user=User.objects.get(username="dispatcher"), name="test", channels=["12345"]
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_token_intake_creates_and_routes(hotline: Client, demo) -> None:
    response = post(hotline, "/api/cases/", BODY)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "dispatched"
    assert data["lead_unit"]["name"] == demo.units["market_regulation"].name
    assert Case.objects.filter(number=data["number"]).exists()


def test_same_idempotency_key_returns_the_same_case(hotline: Client) -> None:
    first = post(hotline, "/api/cases/", BODY, HTTP_IDEMPOTENCY_KEY="12345-A-1")
    again = post(hotline, "/api/cases/", BODY, HTTP_IDEMPOTENCY_KEY="12345-A-1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    dispatcher = User.objects.get(username="dispatcher")
    assert Case.objects.filter(idempotency_key=f"u{dispatcher.pk}:12345-A-1").count() == 1
    # The same key with another body is refused, never answered with the first case.
    other = post(
        hotline, "/api/cases/", {**BODY, "title": "另一件事"}, HTTP_IDEMPOTENCY_KEY="12345-A-1"
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "idempotency_key"
    assert "number" not in other.json()


def test_bad_input_gets_field_errors_and_writes_nothing(hotline: Client) -> None:
    before = Case.objects.count()
    response = post(hotline, "/api/cases/", {**BODY, "estate": "X", "title": ""})
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors["estate"] == "小区编码“X”不存在"
    assert errors["title"] == "请填写标题"
    bad_channel = post(hotline, "/api/cases/", {**BODY, "channel": "x"})
    assert bad_channel.status_code == 422
    [err] = bad_channel.json()["errors"]
    assert err["field"] == "channel" and "12345" in err["message"]
    missing = post(hotline, "/api/cases/", {"channel": "12345"})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"estate", "title", "description"}
    assert Case.objects.count() == before


def test_no_token_no_intake(client: Client) -> None:
    assert post(client, "/api/cases/", BODY).status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer gz_nonsense")
    assert post(bad, "/api/cases/", BODY).status_code == 401


def test_reporter_data_masked_for_roles_that_do_not_handle_it(hotline: Client, login) -> None:
    number = post(hotline, "/api/cases/", BODY).json()["number"]
    office = login("office").get(f"/api/cases/{number}").json()
    assert office["reporter_phone"] == "13812345678" and office["room"] == "1201"
    handler = login("scj").get(f"/api/cases/{number}").json()
    assert handler["reporter_name"] == "张小明"
    auditor = login("auditor").get(f"/api/cases/{number}").json()
    assert auditor["reporter_phone"] == "138****5678"
    assert auditor["reporter_name"] == "张**"
    assert auditor["room"] == "***"
    assert auditor["allowed"] == []
    ledger = login("auditor").get("/api/cases/?q=" + number).json()
    assert ledger["total"] == 1 and "reporter_phone" not in ledger["items"][0]


def test_other_units_cannot_read_a_case(hotline: Client, login) -> None:
    number = post(hotline, "/api/cases/", BODY).json()["number"]
    assert login("zfj").get(f"/api/cases/{number}").status_code == 404
    assert login("resident").get(f"/api/cases/{number}").status_code == 404


def test_actions_and_a_stale_version_conflict(hotline: Client, login) -> None:
    created = post(hotline, "/api/cases/", BODY).json()
    number, version = created["number"], created["version"]
    scj = login("scj")
    accepted = post(scj, f"/api/cases/{number}/accept", {"expected_version": version})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert "handle" in accepted.json()["allowed"]
    stale = post(scj, f"/api/cases/{number}/start", {"expected_version": version})
    assert stale.status_code == 409
    assert "刷新" in stale.json()["message"]
    wrong_state = post(scj, f"/api/cases/{number}/accept", {})
    assert wrong_state.status_code == 400
    handled = post(scj, f"/api/cases/{number}/handle", {"result": "已救出被困人员并停梯检修"})
    assert handled.json()["state"] == "handled"
    timeline = [e["action"] for e in handled.json()["timeline"]]
    assert timeline == ["register", "dispatch", "accept", "handle"]


def test_unit_may_not_act_for_another(hotline: Client, login) -> None:
    number = post(hotline, "/api/cases/", BODY).json()["number"]
    response = post(login("office"), f"/api/cases/{number}/accept", {})
    assert response.status_code == 403
    assert Case.objects.get(number=number).state == State.DISPATCHED


def test_return_via_api_needs_reason_and_entry(hotline: Client, login) -> None:
    number = post(hotline, "/api/cases/", BODY).json()["number"]
    response = post(login("scj"), f"/api/cases/{number}/return", {"reason": ""})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"reason", "claimed_matter_code"}


def test_public_list_has_no_personal_data(hotline: Client, client: Client) -> None:
    post(hotline, "/api/cases/", BODY)
    rows = client.get("/api/cases/public/JX-E001").json()
    assert rows
    text = json.dumps(rows, ensure_ascii=False)
    assert "13812345678" not in text and "张小明" not in text and '"1201"' not in text
    assert client.get("/api/cases/public/NOPE").status_code == 404


def test_resident_follows_own_cases(login) -> None:
    resident = User.objects.get(username="resident")
    case = s.case_register(
        channel="web",
        estate="JX-E001",
        title="门禁坏了",
        description="单元门禁坏了",
        matter_code="JX-15-c",
        reporter_user=resident,
    )
    mine = login("resident").get("/api/cases/mine").json()
    assert case.number in [c["number"] for c in mine]
    detail = login("resident").get(f"/api/cases/{case.number}").json()
    assert detail["number"] == case.number


def test_metrics_endpoint(hotline: Client, login) -> None:
    post(hotline, "/api/cases/", BODY)
    rows = login("office").get("/api/cases/metrics?start=2026-01-01&end=2026-12-31").json()
    names = {r["unit"]["name"] for r in rows}
    assert "县市场监督管理局" in names
    bad = login("office").get("/api/cases/metrics?start=2026-12-31&end=2026-01-01")
    assert bad.status_code == 422


def test_openapi_states_the_ledger_count_cap_from_the_selector(client: Client) -> None:
    # The cap has one source (cases.selectors.COUNT_CAP); the API's description says it.
    from gongzhi.cases.selectors import COUNT_CAP

    schema = client.get("/api/openapi.json").json()
    fields = schema["components"]["schemas"]["LedgerOut"]["properties"]
    assert f"超过 {COUNT_CAP} 件时为 {COUNT_CAP}" in fields["total"]["description"]
    assert f"超过 {COUNT_CAP} 件" in fields["total_capped"]["description"]


def test_openapi_schema_lists_the_case_actions(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/cases/",
        "/api/cases/{number}/dispatch",
        "/api/cases/{number}/return",
        "/api/cases/{number}/transfer",
        "/api/cases/{number}/escalate",
        "/api/cases/{number}/handle",
        "/api/cases/{number}/rate",
        "/api/cases/{number}/whistle",
        "/api/cases/{number}/report",
        "/api/cases/{number}/task-checkin",
        "/api/cases/{number}/appeal-decide",
    ):
        assert path in paths, path

"""The boundary between units and counties, through the doors an attacker uses (issue 8)
and an integration's token (issue 7 defect 4)."""

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
    "description": "5号楼电梯困住两人，联系人王五 13812345678",
    "matter_code": "JX-06-04",
    "reporter_name": "张小明",
    "reporter_phone": "13812345678",
    "external_ref": "12345-20261202-0001",
}


def u(name: str) -> User:
    return User.objects.get(username=name)


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def as_user(name: str) -> Client:
    client = Client()
    client.force_login(u(name))
    return client


def token_client(name: str, channels: list[str] | None = None) -> Client:
    key = api_token_create(user=u(name), name="test", channels=channels)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_routing_targets_must_serve_the_estate(demo: Any) -> None:
    # Issue 8 defect 2: 赤壁's property company may not be sent 嘉祥's reporter.
    case = s.case_register(
        channel="web", estate="JX-E001", title="噪音", description="夜里噪音", actor=u("resident")
    )
    office = as_user("office")
    for action, body in (
        ("dispatch", {"unit": "cb-wy"}),
        ("dispatch", {"unit": "jx-wy-anju"}),  # another estate's company, same county
    ):
        response = post(office, f"/api/cases/{case.number}/{action}", body)
        assert response.status_code == 422, body
        assert "不存在或不服务该小区" in response.json()["errors"][0]["message"]
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED
    assert as_user("cb-wy").get(f"/api/cases/{case.number}").status_code == 404
    dispatched = s.case_register(**{**BODY, "actor": u("dispatcher")})
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("transfer", {"to_unit": "cb-wy", "reason": "x"}),
        ("joint", {"units": ["421281000000-housing-bureau"], "instructions": "x"}),
    ]
    for action, body in attempts:
        response = post(as_user("scj"), f"/api/cases/{dispatched.number}/{action}", body)
        assert response.status_code == 422, action


def test_registering_is_a_right_of_the_access_module(demo: Any) -> None:
    # Issue 8 defect 5.
    before = Case.objects.count()
    assert post(as_user("auditor"), "/api/cases/", BODY).status_code == 403
    assert post(as_user("cb-auditor"), "/api/cases/", BODY).status_code == 403
    assert post(as_user("convener"), "/api/cases/", BODY).status_code == 403
    resident = post(as_user("resident"), "/api/cases/", BODY)
    assert resident.status_code == 422
    assert resident.json()["errors"][0]["field"] == "channel"
    elsewhere = post(as_user("cb-office"), "/api/cases/", {**BODY, "channel": "visit"})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["field"] == "estate"
    assert Case.objects.count() == before
    # A resident registers through the web channel, as themselves.
    mine = post(as_user("resident"), "/api/cases/", {**BODY, "channel": "web"})
    assert mine.status_code == 201
    case = Case.objects.get(number=mine.json()["number"])
    assert case.reporter_user == u("resident") and case.registered_by == u("resident")


def test_a_token_registers_only_through_its_granted_channels(demo: Any) -> None:
    plain = token_client("dispatcher")
    refused = post(plain, "/api/cases/", BODY)
    assert refused.status_code == 403
    granted = token_client("dispatcher", ["12345", "mayor"])
    assert post(granted, "/api/cases/", {**BODY, "channel": "visit"}).status_code == 422
    created = post(granted, "/api/cases/", BODY)
    assert created.status_code == 201
    assert created.json()["track_key"]


def test_an_integration_follows_its_own_work(demo: Any) -> None:
    # Issue 7 defect 4: the 12345 token reads the case it registered, finds it by its
    # own reference in the ledger, and knows who it is.
    client = token_client("dispatcher", ["12345"])
    number = post(client, "/api/cases/", BODY).json()["number"]
    assert client.get(f"/api/cases/{number}").status_code == 200
    ledger = client.get("/api/cases/", {"q": BODY["external_ref"]}).json()
    assert ledger["total"] == 1 and ledger["items"][0]["number"] == number
    assert ledger["items"][0]["external_ref"] == BODY["external_ref"]
    me = client.get("/api/org/me")
    assert me.status_code == 200 and me.json()["username"] == "dispatcher"
    paged = client.get("/api/cases/", {"limit": 1, "offset": 0}).json()
    assert paged["limit"] == 1 and len(paged["items"]) == 1 and paged["total"] >= 1


def test_whistle_and_merge_check_the_reader_first(demo: Any) -> None:
    # Issue 8 defect 6.
    chibi = Case.objects.filter(estate__code="CB-E002").first()
    assert chibi is not None
    whistle = post(
        as_user("jiedao"),
        f"/api/cases/{chibi.number}/whistle",
        {"units": ["421281000000-housing-bureau"], "instructions": "x"},
    )
    assert whistle.status_code == 404 and "title" not in whistle.json()
    mine = s.case_register(
        channel="web", estate="JX-E001", title="噪音", description="夜里噪音", actor=u("resident")
    )
    office = as_user("office")
    into_other = post(
        office, f"/api/cases/{mine.number}/merge", {"into": chibi.number, "reason": "重复"}
    )
    into_nothing = post(
        office, f"/api/cases/{mine.number}/merge", {"into": "370829-2026-999999", "reason": "重复"}
    )
    assert into_other.status_code == into_nothing.status_code == 422
    other_msg = into_other.json()["errors"][0]["message"].replace(chibi.number, "N")
    none_msg = into_nothing.json()["errors"][0]["message"].replace("370829-2026-999999", "N")
    assert other_msg == none_msg
    assert Case.objects.get(pk=chibi.pk).state == chibi.state


def test_resident_actors_are_masked_like_the_reporter(demo: Any) -> None:
    # Issue 8 defect 4: the timeline does not name the resident to those who may not
    # see the reporter.
    case = s.case_register(
        channel="web",
        estate="JX-E001",
        title="门禁坏了",
        description="单元门禁坏了",
        matter_code="JX-15-c",
        actor=u("resident"),
    )
    for name in ("auditor", "convener"):
        timeline = as_user(name).get(f"/api/cases/{case.number}").json()["timeline"]
        assert timeline[0]["actor"] == "诉求人"
        page = as_user(name).get(f"/cases/{case.number}/").content.decode()
        assert "李建国" not in page
    office = as_user("office").get(f"/api/cases/{case.number}").json()["timeline"]
    assert office[0]["actor"] == "诉求人 李建国"


def test_a_stale_version_is_a_conflict_before_anything_else(demo: Any) -> None:
    # Issue 8 defect 13: 409, not 400, whatever the state now is.
    case = s.case_register(**{**BODY, "actor": u("dispatcher")})
    scj = as_user("scj")
    post(scj, f"/api/cases/{case.number}/accept", {"expected_version": case.version})
    again = post(scj, f"/api/cases/{case.number}/accept", {"expected_version": case.version})
    assert again.status_code == 409


def test_hostile_paging_and_dates_are_refused_not_500(demo: Any) -> None:
    # Issue 8 defect 11.
    office = as_user("office")
    for query in (
        {"offset": -1},
        {"offset": 10**20},
        {"limit": 0},
        {"limit": 10**6},
        {"date_from": "0000-01-01"},
        {"state": "nope"},
    ):
        assert office.get("/api/cases/", query).status_code == 422, query
    for query in (
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "2026-01-01", "end": "9999-12-31"},
    ):
        assert office.get("/api/cases/metrics", query).status_code == 422, query
    assert office.get("/api/cases/999999999999999999999999").status_code == 404


def test_the_api_ledger_counts_as_the_page_does(demo: Any, monkeypatch: Any) -> None:
    # Issue 12: GET /api/cases/ counts at most COUNT_CAP rows, like the ledger page, and
    # says when there are more (an exact total over ten million rows is a scan per call).
    from gongzhi.cases import selectors

    client = token_client("office")
    exact = client.get("/api/cases/").json()
    assert exact["total_capped"] is False and exact["total"] >= 3
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    capped = client.get("/api/cases/", {"limit": 5}).json()
    assert capped["total"] == 2 and capped["total_capped"] is True
    assert len(capped["items"]) == min(5, exact["total"])  # the rows are not capped


@pytest.mark.parametrize("cap", [10_000, 3])
def test_a_units_and_a_companys_ledger_read_by_parts_through_the_api_and_the_page(
    demo: Any, monkeypatch: Any, cap: int
) -> None:
    # Issue 12: a unit's and a property company's ledger is counted and paged by the parts
    # of their scope (selectors.LedgerPages). Through the API and the page they list the
    # cases they may read — no other unit's, no other county's — newest first, each once,
    # with the count capped as everywhere.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.cases import selectors
    from gongzhi.cases.access import readable_cases, viewer

    monkeypatch.setattr(selectors, "COUNT_CAP", cap)
    for name in ("zjj", "wuye"):
        assert len(viewer(u(name)).readable_parts()) > 1, name
        expected = list(
            readable_cases(u(name)).order_by("-created_at", "-id").values_list("number", flat=True)
        )
        api = token_client(name)
        seen: list[str] = []
        for offset in range(0, len(expected) + 2, 2):
            body = api.get("/api/cases/", {"limit": 2, "offset": offset}).json()
            assert body["total"] == min(len(expected), cap), name
            assert body["total_capped"] is (len(expected) > cap), name
            seen += [item["number"] for item in body["items"]]
        assert seen == expected, name
        # A capped count per part (a part that can hold nothing, such as tasks by an empty
        # id list, is not sent): the parts are what is read, not the one OR.
        with CaptureQueriesContext(connection) as ctx:
            api.get("/api/cases/", {"limit": 2})
        counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(")]
        assert 1 < len(counts) <= len(viewer(u(name)).readable_parts()), name
        html = as_user(name).get("/cases/ledger/").content.decode()
        shown = expected[: min(cap, selectors.COUNT_CAP, 50)]
        assert all(number in html for number in shown), name
        if len(expected) > cap:
            assert f"超过 {cap} 件" in html, name

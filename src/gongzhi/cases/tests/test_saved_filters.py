"""Ledger filters kept under a name: saved from the ledger page and the API, checked by the
ledger's own parser (a bad date is a field error, nothing saved), replaced by saving the
same name, each account's own, deleted with an audit event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongzhi.cases.models import SavedFilter
from gongzhi.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_save_open_replace_and_delete_through_the_page(demo: Any, login: Any) -> None:
    client = login("office")
    response = client.post(
        "/cases/ledger/filters/", {"name": "本周超时", "query": "overdue=1&page=3&state=dispatched"}
    )
    kept = SavedFilter.objects.get(user__username="office", name="本周超时")
    assert kept.query == "overdue=1&state=dispatched"  # paging is not a condition
    assert response.status_code == 302 and response["Location"].endswith("?" + kept.query)
    page = client.get("/cases/ledger/").content.decode()
    assert "本周超时" in page and "?" + kept.query.replace("&", "&amp;") in page
    client.post("/cases/ledger/filters/", {"name": "本周超时", "query": "q=电梯"})
    kept.refresh_from_db()
    assert kept.query == "q=%E7%94%B5%E6%A2%AF"
    assert SavedFilter.objects.filter(user__username="office").count() == 1
    client.post(f"/cases/ledger/filters/{kept.pk}/delete/")
    assert not SavedFilter.objects.filter(pk=kept.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"saved_filter_save", "saved_filter_delete"} <= actions


def test_bad_conditions_are_refused_and_nothing_is_saved(demo: Any, login: Any) -> None:
    client = login("office")
    response = client.post(
        "/api/cases/filters",
        json.dumps({"name": "坏的", "query": "date_from=2026-13-40"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "date_from"
    response = client.post(
        "/api/cases/filters",
        json.dumps({"name": " ", "query": ""}),
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    assert not SavedFilter.objects.exists()


def test_each_account_sees_and_deletes_only_its_own(demo: Any, login: Any) -> None:
    office = login("office")
    made = office.post(
        "/api/cases/filters",
        json.dumps({"name": "待分派", "query": "state=registered"}),
        content_type="application/json",
    ).json()
    assert [f["name"] for f in office.get("/api/cases/filters").json()] == ["待分派"]
    other = login("cb-office")
    assert other.get("/api/cases/filters").json() == []
    assert other.delete(f"/api/cases/filters/{made['id']}").status_code == 404
    assert SavedFilter.objects.filter(pk=made["id"]).exists()
    office = login("office")
    assert office.delete(f"/api/cases/filters/{made['id']}").status_code == 204
    assert not SavedFilter.objects.exists()

"""Planned utility works: announced ahead by the configured lead, reaching the estates'
property companies and boards; who may announce; through service, page and API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.common.errors import InvalidInput, PermissionDenied
from gongzhi.parties import services as s
from gongzhi.parties.models import UtilityWork, UtilityWorkReceipt
from gongzhi.site.notices import unread

pytestmark = pytest.mark.django_db


def _announce(demo: Any, user: str = "office", hours: int = 48, **kw: Any) -> UtilityWork:
    start = timezone.now() + dt.timedelta(hours=hours)
    args: dict[str, Any] = {
        "actor": demo.users[user],
        "utility": demo.units["utility_power"],
        "estates": [demo.estates["JX-E002"]],
        "supply": "power",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=4),
        "title": "线路检修停电",
    }
    args.update(kw)
    return s.utility_work_announce(**args)


def test_demo_water_works_on_the_board_and_in_the_company_inbox(client: Any, demo: Any) -> None:
    page = client.get("/estates/JX-E001/").content.decode()
    assert "计划停水停电" in page and "建设北路供水管网改造停水" in page
    assert "建设北路供水管网改造停水" not in client.get("/estates/JX-E002/").content.decode()
    texts = [n.text for n in unread(demo.users["wuye"])]
    assert "【计划停水】建设北路供水管网改造停水" in texts
    work = UtilityWork.objects.get(title="建设北路供水管网改造停水")
    client.force_login(demo.users["wuye"])
    client.get(f"/parties/utility-works/{work.pk}/")
    assert UtilityWorkReceipt.objects.get(work=work).read_at is not None


def test_lead_time_and_fields_checked(demo: Any, settings: Any) -> None:
    settings.GONGZHI_UTILITY_NOTICE_HOURS = 72
    with pytest.raises(InvalidInput) as exc:
        _announce(demo, hours=48, ends_at=timezone.now(), title=" ", supply="x")
    fields = {e.field for e in exc.value.errors}
    assert fields == {"starts_at", "ends_at", "title", "supply"}
    assert any("72 小时" in e.message for e in exc.value.errors)
    work = _announce(demo, hours=80)
    assert list(work.receipts.values_list("unit_id", flat=True)) == [demo.units["pc:安居"].pk]


def test_who_may_announce(demo: Any) -> None:
    for user in ("wuye", "cb-office"):
        with pytest.raises(PermissionDenied):
            _announce(demo, user=user)
    # The street office's staff manage 嘉祥街道 only, not 卧龙山庄 in 卧龙山街道.
    with pytest.raises(PermissionDenied):
        _announce(demo, user="jiedao", estates=[demo.estates["JX-E002"], demo.estates["JX-E004"]])
    assert _announce(demo, user="jiedao").receipts.count() == 1
    with pytest.raises(InvalidInput):
        _announce(demo, utility=demo.units["housing_bureau"])


def test_api(login: Any, client: Any, demo: Any) -> None:
    start = timezone.now() + dt.timedelta(days=2)
    body = {
        "utility_id": demo.units["utility_power"].pk,
        "estate_codes": ["JX-E002", "JX-E004"],
        "supply": "power",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
        "title": "API 停电",
    }
    r = login("office").post(
        "/api/parties/utility-works", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert client.get("/api/parties/estates/JX-E004/utility-works").json()[0]["supply"] in (
        "water",
        "power",
    )
    other = login("cb-office").post(
        "/api/parties/utility-works", json.dumps(body), content_type="application/json"
    )
    assert other.status_code == 403
    bad = login("office").post(
        "/api/parties/utility-works",
        json.dumps({**body, "estate_codes": ["NOPE"]}),
        content_type="application/json",
    )
    assert bad.status_code == 422

"""Circulars between the three parties and up to the street: delivery to every recipient
unit's inbox, read receipts, who sees them, through services, pages and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongzhi.common.errors import InvalidInput, PermissionDenied
from gongzhi.common.models import AuditEvent
from gongzhi.parties import services as s
from gongzhi.parties.models import Circular, CircularReceipt, Party
from gongzhi.site.notices import unread, unread_count

pytestmark = pytest.mark.django_db


def _urgent(demo: Any) -> Circular:
    return Circular.objects.get(estate__code="JX-E001", urgent=True)


def _send(demo: Any, user: str = "wuye", **kw: Any) -> Circular:
    args: dict[str, Any] = {
        "actor": demo.users[user],
        "estate": demo.estates["JX-E001"],
        "sender_party": Party.PROPERTY_COMPANY,
        "to_parties": [Party.OWNERS_COMMITTEE, Party.STREET],
        "title": "电梯停运",
        "body": "2 号楼电梯停运检修",
        "urgent": True,
    }
    args.update(kw)
    return s.circular_send(**args)


def test_an_urgent_circular_reaches_every_recipient_inbox_at_once(demo: Any) -> None:
    before = unread_count(demo.users["jiedao"])
    c = _send(demo)
    units = set(c.receipts.values_list("unit_id", flat=True))
    assert units == {demo.units["oc:曾子花园"].pk, demo.units["street:嘉祥街道"].pk}
    assert unread_count(demo.users["jiedao"]) == before + 1
    top = unread(demo.users["yeweihui"])[0]
    assert top.text == "【紧急】电梯停运" and top.source == "parties"
    assert AuditEvent.objects.filter(target_type="parties.circular", target_id=str(c.pk)).exists()


def test_read_receipt_once_and_only_for_recipients(demo: Any) -> None:
    c = _send(demo)
    assert s.circular_read(actor=demo.users["yeweihui"], circular=c) == 1
    assert s.circular_read(actor=demo.users["yeweihui"], circular=c) == 0
    assert s.circular_read(actor=demo.users["zjj"], circular=c) == 0
    r = c.receipts.get(unit=demo.units["oc:曾子花园"])
    assert r.read_by == demo.users["yeweihui"] and r.read_at is not None
    assert c.receipts.get(unit=demo.units["street:嘉祥街道"]).read_at is None


@pytest.mark.parametrize(
    ("user", "party"),
    [
        ("wuye", Party.OWNERS_COMMITTEE),  # not the company's own party
        ("office", Party.OFFICE),
        ("cb-wy", Party.PROPERTY_COMPANY),
        ("resident", Party.PROPERTY_COMPANY),
    ],
)
def test_only_a_party_sends_in_its_name(demo: Any, user: str, party: str) -> None:
    with pytest.raises(PermissionDenied):
        _send(demo, user=user, sender_party=party)


def test_bad_input_every_field(demo: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        _send(demo, to_parties=[Party.OFFICE], title=" ", body="")
    assert {e.field for e in exc.value.errors} == {"to_parties", "title", "body"}
    with pytest.raises(InvalidInput, match="输入有误"):
        _send(demo, to_parties=[Party.PROPERTY_COMPANY])  # only itself
    assert not Circular.objects.filter(title="电梯停运").exists()


def test_demo_urgent_circular_has_one_unread_recipient(demo: Any) -> None:
    c = _urgent(demo)
    unread_units = list(
        c.receipts.filter(read_at__isnull=True).values_list("unit__name", flat=True)
    )
    assert unread_units == [demo.units["street:嘉祥街道"].name]


# ---------------------------------------------------------------- pages


def test_sender_sees_who_has_not_read_and_opening_records_the_receipt(
    login: Any, demo: Any
) -> None:
    c = _urgent(demo)
    page = login("wuye").get(f"/parties/circulars/{c.pk}/").content.decode()
    assert "1 个单位尚未阅知" in page and "嘉祥街道办事处" in page
    street = login("jiedao")
    listing = street.get("/parties/circulars/").content.decode()
    assert "未阅" in listing and c.title in listing
    street.get(f"/parties/circulars/{c.pk}/")
    assert CircularReceipt.objects.get(circular=c, unit=demo.units["street:嘉祥街道"]).read_at
    page = login("wuye").get(f"/parties/circulars/{c.pk}/").content.decode()
    assert "全部接收单位均已阅知" in page


def test_recipient_does_not_see_receipts_others_see_nothing(login: Any, demo: Any) -> None:
    c = _urgent(demo)
    page = login("yeweihui").get(f"/parties/circulars/{c.pk}/").content.decode()
    assert c.title in page and "阅知回执" not in page
    assert login("zjj").get(f"/parties/circulars/{c.pk}/").status_code == 404
    assert login("cb-office").get(f"/parties/circulars/{c.pk}/").status_code == 404
    assert login("office").get(f"/parties/circulars/{c.pk}/").status_code == 200


def test_send_through_the_page(login: Any, demo: Any) -> None:
    c = login("juweihui")
    assert c.get("/parties/estates/JX-E001/circulars/new/").status_code == 200
    bad = c.post(
        "/parties/estates/JX-E001/circulars/new/",
        {"sender_party": "residents_committee", "title": "x", "body": "y"},
    )
    assert bad.status_code == 422 and "请选择接收方" in bad.content.decode()
    ok = c.post(
        "/parties/estates/JX-E001/circulars/new/",
        {
            "sender_party": "residents_committee",
            "to_parties": ["property_company", "street"],
            "title": "停车位协调",
            "body": "已召开民情恳谈会",
            "urgent": "on",
        },
    )
    assert ok.status_code == 302
    sent = Circular.objects.get(title="停车位协调")
    assert sent.urgent and sent.receipts.count() == 2
    assert login("zjj").get("/parties/estates/JX-E001/circulars/new/").status_code == 404


# ---------------------------------------------------------------- API


def test_api_send_list_detail_read(login: Any, demo: Any) -> None:
    c = login("wuye")
    r = c.post(
        "/api/parties/estates/JX-E001/circulars",
        json.dumps(
            {
                "sender_party": "property_company",
                "to_parties": ["owners_committee"],
                "title": "API 通报",
                "body": "内容",
                "urgent": True,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["unread"] == 1
    detail = c.get(f"/api/parties/circulars/{pk}").json()
    assert detail["receipts"][0]["read_at"] is None
    oc = login("yeweihui")
    assert oc.get(f"/api/parties/circulars/{pk}").json()["allowed"] == ["read"]
    assert oc.get(f"/api/parties/circulars/{pk}").json()["receipts"] is None
    assert oc.post(f"/api/parties/circulars/{pk}/read").json() == {"read": 1}
    assert oc.post(f"/api/parties/circulars/{pk}/read").json() == {"read": 0}
    detail = login("wuye").get(f"/api/parties/circulars/{pk}").json()
    assert detail["unread"] == 0 and detail["receipts"][0]["read_by"] == "郑华"
    assert any(x["id"] == pk for x in login("wuye").get("/api/parties/circulars").json())


def test_api_refuses_the_other_county(client: Any, login: Any, demo: Any) -> None:
    c = _urgent(demo)
    other = login("cb-office")
    assert other.get(f"/api/parties/circulars/{c.pk}").status_code == 404
    assert other.post(f"/api/parties/circulars/{c.pk}/read").status_code == 404
    assert all(x["id"] != c.pk for x in other.get("/api/parties/circulars").json())
    body = json.dumps(
        {"sender_party": "property_company", "to_parties": ["street"], "title": "x", "body": "y"}
    )
    assert (
        login("cb-wy")
        .post("/api/parties/estates/JX-E001/circulars", body, content_type="application/json")
        .status_code
        == 403
    )

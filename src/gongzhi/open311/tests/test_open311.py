"""Open311 GeoReport v2 through its doors: services and definitions from the effective
catalog, POST requests through intake with the token's rights, the GET filters, the
public shape without personal data, tokens, both formats, the standard's errors, and the
boundary between the two counties."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from gongzhi.cases.models import Case
from gongzhi.common.apiauth import api_token_create, api_token_revoke
from gongzhi.common.models import ApiToken, AuditEvent
from gongzhi.open311.models import RequestToken
from gongzhi.org.models import Estate, User

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
JX = "370829000000"  # 嘉祥县
CB = "421281"  # the six-digit form is accepted too  # 赤壁市
FORM = {
    "jurisdiction_id": JX,
    "service_code": "JX-03-00",
    "address_id": "JX-E001",
    "description": "小区供暖不热，3号楼1201室王秀英，电话13905371234",
    "first_name": "秀英",
    "last_name": "王",
    "phone": "13905371234",
}


def _key(username: str = "dispatcher", channels: list[str] | None = None) -> str:
    user = User.objects.get(username=username)
    return api_token_create(user=user, name="open311", channels=channels or ["12345"])


def _post(client: Client, fmt: str = "json", **fields: Any) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", {**FORM, **fields})


def test_services_are_the_effective_catalog_in_both_formats(client: Client, demo) -> None:
    rows = client.get(f"{BASE}/services.json", {"jurisdiction_id": JX}).json()
    by_code = {r["service_code"]: r for r in rows}
    assert by_code["JX-03-00"]["metadata"] is False
    assert by_code["JX-03-01"]["metadata"] is True  # 房屋安全: building and room
    assert by_code["JX-03-01"]["service_name"] == "室内装修擅自改变房屋结构"
    assert by_code["JX-03-01"]["type"] == "realtime"
    chibi = {
        r["service_code"] for r in client.get(f"{BASE}/services.json?jurisdiction_id={CB}").json()
    }
    assert "JX-03-00" not in chibi and chibi
    response = client.get(f"{BASE}/services.xml", {"jurisdiction_id": JX})
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == [r["service_code"] for r in rows]
    meta = {s.findtext("service_code"): s.findtext("metadata") for s in root.findall("service")}
    assert meta["JX-03-01"] == "true" and meta["JX-03-00"] == "false"


def test_definition_lists_attributes_where_the_matter_needs_them(client: Client, demo) -> None:
    data = client.get(f"{BASE}/services/JX-03-01.json", {"jurisdiction_id": JX}).json()
    attrs = {a["code"]: a for a in data["attributes"]}
    assert attrs["building"]["required"] is True and attrs["room"]["required"] is False
    assert attrs["building"]["variable"] is True and attrs["building"]["datatype"] == "string"
    plain = client.get(f"{BASE}/services/JX-03-00.json", {"jurisdiction_id": JX}).json()
    assert plain == {"service_code": "JX-03-00", "attributes": []}
    root = ET.fromstring(client.get(f"{BASE}/services/JX-03-01.xml?jurisdiction_id={JX}").content)
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == [
        "building",
        "unit_no",
        "room",
    ]


def test_errors_in_the_standard_format_with_statuses(client: Client, demo) -> None:
    missing = client.get(f"{BASE}/services.json")
    assert missing.status_code == 400
    assert missing.json() == [
        {"code": 400, "description": "请提供 jurisdiction_id（辖区代码，如 370829000000）"}
    ]
    unknown = client.get(f"{BASE}/services/NOPE.xml", {"jurisdiction_id": JX})
    assert unknown.status_code == 404
    root = ET.fromstring(unknown.content)
    assert root.tag == "errors" and root.findtext("error/code") == "404"
    assert "NOPE" in (root.findtext("error/description") or "")
    wrong_method = client.delete(f"{BASE}/services.json?jurisdiction_id={JX}")
    assert wrong_method.status_code == 405 and wrong_method.json()[0]["code"] == 405
    bad_dates = client.get(
        f"{BASE}/requests.json",
        {
            "jurisdiction_id": JX,
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": "2026-06-01T00:00:00Z",
        },
    )
    assert bad_dates.status_code == 400
    assert "90 天" in bad_dates.json()[0]["description"]
    garbled = client.get(
        f"{BASE}/requests.json", {"jurisdiction_id": JX, "start_date": "yesterday", "status": "x"}
    )
    assert garbled.status_code == 400 and len(garbled.json()) == 2


def test_post_registers_through_intake_and_reads_back_without_personal_data(
    client: Client, demo
) -> None:
    before = Case.objects.count()
    response = _post(client, api_key=_key())
    assert response.status_code == 201, response.content
    [created] = response.json()
    case = Case.objects.get(number=created["service_request_id"])
    assert Case.objects.count() == before + 1
    assert case.channel == "12345" and case.estate.code == "JX-E001"
    assert case.matter is not None and case.matter.code == "JX-03-00"
    assert case.lead_unit is not None
    assert case.reporter_name == "王秀英" and case.reporter_phone == "13905371234"
    assert case.external_ref == f"open311:{created['token']}"
    assert AuditEvent.objects.filter(
        action="open311.request_create", target_id=str(case.pk)
    ).exists()
    assert case.number in created["service_notice"]

    [read] = client.get(f"{BASE}/requests/{case.number}.json").json()
    assert read["status"] == "open" and read["service_code"] == "JX-03-00"
    assert read["address_id"] == "JX-E001" and read["agency_responsible"] == case.lead_unit.name
    assert read["expected_datetime"] and read["requested_datetime"].endswith("+08:00")
    text = str(read)
    for secret in ("王秀英", "13905371234", "1201"):
        assert secret not in text
    assert "待签收" in read["status_notes"]

    [token] = client.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert token == {"service_request_id": case.number, "token": created["token"]}
    xml = ET.fromstring(client.get(f"{BASE}/tokens/{created['token']}.xml").content)
    assert xml.findtext("request/service_request_id") == case.number


def test_post_in_xml_and_with_attributes(client: Client, demo) -> None:
    response = _post(
        client,
        "xml",
        api_key=_key(),
        service_code="JX-03-01",
        **{"attribute[building]": "3", "attribute[room]": "1201"},
    )
    assert response.status_code == 201, response.content
    number = ET.fromstring(response.content).findtext("request/service_request_id")
    case = Case.objects.get(number=number)
    assert (case.building, case.room) == ("3", "1201")
    refused = _post(client, api_key=_key(), service_code="JX-03-01", **{"attribute[colour]": "red"})
    assert refused.status_code == 400
    descriptions = " ".join(e["description"] for e in refused.json())
    assert "attribute[building]" in descriptions and "attribute[colour]" in descriptions


def test_estate_named_by_attribute_address_or_position(client: Client, demo) -> None:
    key = _key()
    by_attr = _post(client, api_key=key, address_id="", **{"attribute[estate]": "JX-E002"})
    assert Case.objects.get(number=by_attr.json()[0]["service_request_id"]).estate.code == "JX-E002"
    by_name = _post(client, api_key=key, address_id="", address_string="嘉祥县卧龙山庄东门")
    assert Case.objects.get(number=by_name.json()[0]["service_request_id"]).estate.code == "JX-E004"
    Estate.objects.filter(code="JX-E003").update(latitude="35.407000", longitude="116.342000")
    by_pos = _post(client, api_key=key, address_id="", lat="35.4081", long="116.3425")
    assert by_pos.status_code == 201, by_pos.content
    assert Case.objects.get(number=by_pos.json()[0]["service_request_id"]).estate.code == "JX-E003"
    far = _post(client, api_key=key, address_id="", lat="35.5", long="116.3425")
    assert far.status_code == 400 and "500 米" in far.json()[0]["description"]
    nowhere = _post(client, api_key=key, address_id="")
    assert nowhere.status_code == 400


def test_refusals_write_nothing(client: Client, demo) -> None:
    before = (Case.objects.count(), RequestToken.objects.count())
    no_key = _post(client)
    assert no_key.status_code == 403 and "api_key" in no_key.json()[0]["description"]
    assert _post(client, api_key="gz_nonsense").status_code == 403
    # A token granted no channel registers nothing (access.intake_right).
    assert (
        _post(
            client, api_key=api_token_create(user=User.objects.get(username="dispatcher"), name="x")
        ).status_code
        == 403
    )
    # A channel the token was not granted.
    wrong = _post(client, api_key=_key(), **{"attribute[channel]": "visit"})
    assert wrong.status_code == 400 and "渠道" in wrong.json()[0]["description"]
    # An auditor's token may not register at all.
    assert _post(client, api_key=_key("cb-auditor")).status_code == 403
    # A revoked token, in XML.
    key = _key()
    api_token_revoke(token=ApiToken.objects.get(prefix=key[3:11]))
    revoked = _post(client, "xml", api_key=key)
    assert revoked.status_code == 403
    assert ET.fromstring(revoked.content).findtext("error/description") == "api_key 无效或已吊销"
    assert (Case.objects.count(), RequestToken.objects.count()) == before


def test_one_county_cannot_register_or_read_in_the_other(client: Client, demo) -> None:
    chibi_office = _key("cb-office", ["12345"])
    # 赤壁's office names a 嘉祥 estate: refused by intake's right, nothing written.
    refused = _post(client, api_key=chibi_office)
    assert refused.status_code == 400 and "工作范围" in refused.json()[0]["description"]
    # Through 赤壁's jurisdiction a 嘉祥 estate is not found at all.
    inside = _post(client, api_key=chibi_office, jurisdiction_id=CB, service_code="JX-03-00")
    assert inside.status_code == 404
    [made] = _post(client, api_key=_key()).json()
    number = made["service_request_id"]
    assert client.get(f"{BASE}/requests/{number}.json", {"jurisdiction_id": CB}).status_code == 404
    listed = client.get(
        f"{BASE}/requests.json", {"jurisdiction_id": CB, "service_request_id": number}
    )
    assert listed.json() == []


def test_get_requests_filters(client: Client, demo) -> None:
    key = _key()
    first = _post(client, api_key=key).json()[0]["service_request_id"]
    second = _post(
        client, api_key=key, service_code="JX-03-01", **{"attribute[building]": "2"}
    ).json()[0]["service_request_id"]
    rows = client.get(f"{BASE}/requests.json", {"jurisdiction_id": JX}).json()
    numbers = [r["service_request_id"] for r in rows]
    assert first in numbers and second in numbers
    only = client.get(
        f"{BASE}/requests.json", {"jurisdiction_id": JX, "service_code": "JX-03-01"}
    ).json()
    assert {r["service_code"] for r in only} == {"JX-03-01"}
    both = client.get(
        f"{BASE}/requests.json", {"jurisdiction_id": JX, "service_request_id": f"{first},{second}"}
    ).json()
    assert {r["service_request_id"] for r in both} == {first, second}
    closed = client.get(f"{BASE}/requests.json", {"jurisdiction_id": JX, "status": "closed"}).json()
    assert first not in [r["service_request_id"] for r in closed]
    assert all(r["status"] == "closed" for r in closed)
    old = client.get(
        f"{BASE}/requests.json",
        {
            "jurisdiction_id": JX,
            "start_date": "2020-01-01T00:00:00Z",
            "end_date": "2020-02-01T00:00:00Z",
        },
    ).json()
    assert old == []
    xml = ET.fromstring(client.get(f"{BASE}/requests.xml", {"jurisdiction_id": JX}).content)
    assert xml.tag == "service_requests"
    assert first in [r.findtext("service_request_id") for r in xml.findall("request")]

"""Ruling → catalog change proposal (issue 13 item 6): a ruling on a unit's return may
propose a phrasing, an exclusion or a new entry; the catalog's owner approves (the change
is written, the catalog's revision and the routing version bump, the classifier sees it)
or rejects (nothing changes). Through the service, the case form, the API and the page;
another county and a unit get 404."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gongzhi.cases import services as s
from gongzhi.cases.models import State
from gongzhi.cases.tests.pages import register, user
from gongzhi.catalog.answer import classify_message
from gongzhi.catalog.models import Catalog, CatalogProposal, MatterType
from gongzhi.catalog.proposals import catalog_proposal_create, catalog_proposal_decide
from gongzhi.catalog.selectors import catalog_version, effective_catalog
from gongzhi.common.models import AuditEvent

pytestmark = pytest.mark.django_db
PHRASE = "楼道里快递纸箱堆成山"


def returned_case(matter: str = "JX-15-a"):
    case = register(matter_code=matter)
    s.case_return(case=case, actor=user("wuye"), reason="不归物业", claimed_matter_code="JX-15-b")
    case.refresh_from_db()
    assert case.state == State.RETURNED
    return case


def overrule(client, case, **extra):
    data = {"reason": "保洁属物业", "expected_version": case.version, **extra}
    return client.post(f"/cases/{case.number}/act/overrule/", data)


def test_overrule_form_proposes_a_phrasing_and_the_owner_approves_it(
    demo, login, django_capture_on_commit_callbacks
) -> None:
    case = returned_case()
    client = login("office")
    assert "同时提出职责清单修改建议" in client.get(f"/cases/{case.number}/").content.decode()
    response = overrule(
        client,
        case,
        proposal_kind="phrasing",
        proposal_matter="JX-15-a",
        proposal_words=f"{PHRASE}、{PHRASE}",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    proposal = CatalogProposal.objects.get(case_number=case.number)
    assert proposal.catalog.jurisdiction == demo.county and proposal.words == [PHRASE]
    assert proposal.case_number == case.number and proposal.history[0]["by"] == "刘敏"
    catalog = Catalog.objects.get(pk=proposal.catalog_id)
    estate = demo.estates["JX-E001"]
    before = classify_message(estate=estate, body=PHRASE)
    version = catalog_version()

    page = client.get(f"/catalog/{demo.county.code}/proposals/").content.decode()
    assert PHRASE in page and "采纳并写入清单" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/catalog/proposals/{proposal.pk}/decide/", {"decision": "approve", "note": "好"}
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "approved" and [h["action"] for h in proposal.history] == [
        "proposed",
        "approved",
    ]
    assert PHRASE in MatterType.objects.get(catalog=catalog, code="JX-15-a").phrasings
    assert Catalog.objects.get(pk=catalog.pk).revision == catalog.revision + 1
    assert catalog_version() > version  # every process forgets its catalogs and answers
    assert PHRASE in effective_catalog(demo.county)["JX-15-a"].matter.phrasings
    after = classify_message(estate=estate, body=PHRASE)
    assert after.matter is not None and after.matter.code == "JX-15-a", after.reason
    assert after.confidence > (before.confidence if before.matter else 0.0)
    assert AuditEvent.objects.filter(action="catalog.proposal_approve").count() == 1
    # Decided once: a second decision is a conflict, through the API.
    again = client.post(
        f"/api/catalog/proposals/{proposal.pk}/decide",
        {"approve": False},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_bad_proposal_changes_nothing_not_even_the_ruling(demo, login) -> None:
    case = returned_case()
    client = login("office")
    response = overrule(client, case, proposal_kind="phrasing", proposal_matter="JX-15-a")
    assert response.status_code == 422
    assert "请写出要加入清单的说法" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.RETURNED
    assert not CatalogProposal.objects.filter(case_number=case.number).exists()
    api = client.post(
        f"/api/cases/{case.number}/overrule",
        {
            "reason": "保洁属物业",
            "proposal_kind": "entry",
            "proposal_words": "快递柜",
            "expected_version": case.version,
        },
        content_type="application/json",
    )
    assert api.status_code == 422, api.content
    fields = {e["field"] for e in api.json()["errors"]}
    assert fields == {"proposal_name", "proposal_lead_kind"}
    case.refresh_from_db()
    assert case.state == State.RETURNED


def test_upholding_a_return_proposes_a_new_entry_and_rejection_leaves_the_catalog(
    demo, login
) -> None:
    case = returned_case()
    client = login("office")
    response = client.post(
        f"/api/cases/{case.number}/dispatch",
        {
            "matter_code": "JX-15-b",
            "reason": "确属绿化",
            "proposal_kind": "entry",
            "proposal_name": "快递柜占用绿地",
            "proposal_lead_kind": "property_company",
            "proposal_words": "快递柜放在草坪上\n快递柜占了绿地",
            "expected_version": case.version,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    new = CatalogProposal.objects.get(kind="entry")
    assert new.catalog.jurisdiction == demo.county and new.name == "快递柜占用绿地"
    listed = client.get(f"/api/catalog/{demo.county.code}/proposals?status=proposed").json()
    mine = [p for p in listed if p["case_number"] == case.number]
    assert [p["id"] for p in mine] == [new.pk] and mine[0]["can_decide"]
    assert any(p["matter"] == "JX-06-01" for p in listed)  # the demo's waiting proposal
    revision = Catalog.objects.get(pk=new.catalog_id).revision
    rejected = client.post(
        f"/api/catalog/proposals/{new.pk}/decide",
        {"approve": False, "note": "已有同类事项"},
        content_type="application/json",
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert Catalog.objects.get(pk=new.catalog_id).revision == revision
    assert not MatterType.objects.filter(name="快递柜占用绿地").exists()


def test_approved_entry_joins_the_effective_catalog(demo) -> None:
    case = returned_case()
    s.case_ruling_proposal(
        case,
        user("office"),
        SimpleNamespace(
            proposal_kind="entry",
            proposal_matter="",
            proposal_words="快递柜放在草坪上",
            proposal_name="快递柜占用绿地",
            proposal_lead_kind="property_company",
            reason="新情况",
        ),
        lambda: s.case_overrule(case=case, actor=user("office"), reason="保洁属物业"),
    )
    done = catalog_proposal_decide(
        proposal=CatalogProposal.objects.get(kind="entry"), approve=True, actor=user("office")
    )
    entry = effective_catalog(demo.county)[done.matter_code]
    assert entry.matter.name == "快递柜占用绿地" and entry.matter.lead_kind_id == "property_company"
    assert done.matter_code.startswith("JX-P")


def test_other_county_and_units_cannot_see_or_decide(demo, login) -> None:
    case = returned_case()
    s.case_ruling_proposal(
        case,
        user("office"),
        SimpleNamespace(
            proposal_kind="exclusion",
            proposal_matter="JX-15-a",
            proposal_words="草坪",
            proposal_name="",
            proposal_lead_kind="",
            reason="",
        ),
        lambda: s.case_overrule(case=case, actor=user("office"), reason="保洁属物业"),
    )
    proposal = CatalogProposal.objects.get(case_number=case.number)
    code = demo.county.code
    for name in ("cb-office", "zjj"):
        client = login(name)
        assert client.get(f"/catalog/{code}/proposals/").status_code == 404
        assert client.post(f"/catalog/proposals/{proposal.pk}/decide/").status_code == 404
        api = client.post(
            f"/api/catalog/proposals/{proposal.pk}/decide",
            {"approve": True},
            content_type="application/json",
        )
        assert api.status_code == 404
        assert client.get(f"/api/catalog/{code}/proposals").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "proposed"
    # The other county's office sees its own (empty) list.
    cb = demo.jurisdictions["赤壁市"].code
    assert login("cb-office").get(f"/api/catalog/{cb}/proposals").json() == []


def test_a_change_to_the_province_catalog_waits_for_the_province_office(demo, login) -> None:
    place = demo.estates["JX-E001"].community
    proposal = catalog_proposal_create(
        place=place,
        kind="exclusion",
        matter_code="RF-ENV-01",
        words="自家熏腊肉",
        actor=user("office"),
    )
    assert proposal.catalog.jurisdiction.level == "province"
    client = login("office")
    page = client.get(f"/catalog/{demo.county.code}/proposals/").content.decode()
    assert "自家熏腊肉" in page and "待该清单所属辖区的办公室审核" in page
    assert client.post(f"/catalog/proposals/{proposal.pk}/decide/").status_code == 403
    api = client.post(
        f"/api/catalog/proposals/{proposal.pk}/decide",
        {"approve": True},
        content_type="application/json",
    )
    assert api.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"

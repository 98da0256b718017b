"""Early intervention (002 (二)第七条): the matter cannot be decided until the street and the
community party organisation were invited; through service, API and page; on the board."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from gongzhi.common.errors import DomainError, InvalidInput, PermissionDenied
from gongzhi.problems import services as s
from gongzhi.problems.models import EarlyMatter, Invitation

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 2)


def _demo_matter() -> EarlyMatter:
    return EarlyMatter.objects.get(estate__code="JX-E001", kind=EarlyMatter.Kind.FEE_CHANGE)


def test_decide_refused_until_both_invited(demo: Any) -> None:
    m = _demo_matter()
    assert m.state == EarlyMatter.State.PROPOSED
    with pytest.raises(DomainError, match="尚未邀请：社区党组织") as exc:
        s.early_transition(
            actor=demo.users["juweihui"],
            matter=m,
            move="decide",
            expected_version=m.version,
            text="同意调价",
        )
    assert exc.value.status == 400
    with pytest.raises(InvalidInput):
        s.early_invite(
            actor=demo.users["juweihui"],
            matter=m,
            expected_version=m.version,
            body=Invitation.Body.STREET,
            invited_on=TODAY,
        )
    with pytest.raises(PermissionDenied):
        s.early_invite(
            actor=demo.users["wuye"],
            matter=m,
            expected_version=m.version,
            body=Invitation.Body.PARTY_ORG,
            invited_on=TODAY,
        )
    m = s.early_invite(
        actor=demo.users["juweihui"],
        matter=m,
        expected_version=m.version,
        body=Invitation.Body.PARTY_ORG,
        invited_on=TODAY,
    )
    assert m.state == EarlyMatter.State.INVITED
    assert m.invitations.get(body="party_org").invitee == "建设路社区党组织"
    m = s.early_transition(
        actor=demo.users["juweihui"],
        matter=m,
        move="decide",
        expected_version=m.version,
        text="提交业主大会表决",
    )
    assert m.state == EarlyMatter.State.DECIDED and m.decision == "提交业主大会表决"


def test_api_and_page_refuse_then_board_shows(client: Any, login: Any, demo: Any) -> None:
    m = _demo_matter()
    board = client.get("/api/board/estates/JX-E001").json()
    shown = next(x for x in board["early_matters"] if x["id"] == m.pk)
    assert shown["state"] == "proposed"
    assert [i["invited_on"] is not None for i in shown["invitations"]] == [True, False]
    assert "尚未邀请" in client.get("/estates/JX-E001/").content.decode()
    c = login("juweihui")
    body = {"expected_version": m.version, "text": "同意"}
    r = c.post(
        f"/api/problems/early/{m.pk}/decide", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 400 and "社区党组织" in r.json()["message"]
    page = c.get(f"/problems/early/{m.pk}/").content.decode()
    assert 'id="decide-blocked"' in page and 'id="act-decide"' not in page
    posted = c.post(f"/problems/early/{m.pk}/decide/", {"expected_version": m.version, "text": "x"})
    assert posted.status_code == 400 and "尚未邀请" in posted.content.decode()
    assert _demo_matter().state == EarlyMatter.State.PROPOSED
    r = c.post(
        f"/api/problems/early/{m.pk}/invite",
        json.dumps(
            {"expected_version": m.version, "body": "party_org", "invited_on": "2026-11-01"}
        ),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "invited" and r.json()["missing"] == []
    assert "decide" in r.json()["allowed"]
    r = c.post(
        f"/api/problems/early/{m.pk}/decide",
        json.dumps({"expected_version": r.json()["version"], "text": "同意提交业主大会表决"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "decided"
    board = client.get("/api/board/estates/JX-E001").json()
    assert next(x for x in board["early_matters"] if x["id"] == m.pk)["state"] == "decided"
    # The other county: nothing, 404 through page and API.
    other = login("cb-office")
    assert other.get(f"/api/problems/early/{m.pk}").status_code == 404
    assert other.get(f"/problems/early/{m.pk}/").status_code == 404

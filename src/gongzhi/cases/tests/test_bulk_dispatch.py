"""Bulk dispatch from the desk (issue 11 item 6): ticked cases go to one matter, or each to
the classifier's suggestion where it does not abstain; each case is its own dispatch (its
version, its rights), so a refusal is reported for that case and the others go on."""

from __future__ import annotations

from typing import Any

import pytest

from gongzhi.cases.models import Case, State
from gongzhi.cases.services.bulk import BulkItem, case_dispatch_many
from gongzhi.cases.tests.pages import register, user

pytestmark = pytest.mark.django_db


def test_one_matter_for_all_and_a_stale_version_refused_alone(demo: Any) -> None:
    a, b = register(matter_code=""), register(matter_code="", title="楼道灯不亮")
    assert a.state == b.state == State.REGISTERED
    outcomes = case_dispatch_many(
        actor=user("office"),
        items=[BulkItem(a.number, a.version), BulkItem(b.number, b.version - 1)],
        matter_code="JX-15-a",
    )
    assert [o.ok for o in outcomes] == [True, False]
    assert "刷新" in outcomes[1].message  # the conflict's own message
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == State.DISPATCHED and a.matter is not None and a.matter.code == "JX-15-a"
    assert b.state == State.REGISTERED


def test_suggestions_where_the_classifier_is_sure_and_nothing_where_it_abstains(demo: Any) -> None:
    clear = register(
        matter_code="", title="电梯困人", description="5号楼电梯突然停了，里面困了两个人"
    )
    vague = register(matter_code="", title="反映问题", description="请尽快处理一下")
    outcomes = {
        o.number: o
        for o in case_dispatch_many(
            actor=user("office"), items=[BulkItem(clear.number), BulkItem(vague.number)]
        )
    }
    assert not outcomes[vague.number].ok and "逐件" in outcomes[vague.number].message
    assert Case.objects.get(pk=vague.pk).state == State.REGISTERED
    assert outcomes[clear.number].ok, outcomes[clear.number].message
    dispatched = Case.objects.select_related("matter").get(pk=clear.pk)
    assert dispatched.matter is not None
    assert dispatched.matter.code == outcomes[clear.number].matter_code


def test_the_other_county_and_other_roles_dispatch_nothing(demo: Any) -> None:
    case = register(matter_code="")
    for name in ("cb-office", "wuye", "auditor"):
        [outcome] = case_dispatch_many(
            actor=user(name), items=[BulkItem(case.number)], matter_code="JX-15-a"
        )
        assert not outcome.ok, name
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED


def test_through_the_desk_page(demo: Any, login: Any) -> None:
    a, b = register(matter_code=""), register(matter_code="", title="楼道灯不亮")
    client = login("office")
    html = client.get("/cases/desk/").content.decode()
    assert 'id="desk-bulk"' in html and f'value="{a.number}:{a.version}"' in html
    response = client.post(
        "/cases/desk/bulk/",
        {"pick": [f"{a.number}:{a.version}", f"{b.number}:{b.version}"], "matter_code": "JX-15-a"},
        follow=True,
    )
    page = response.content.decode()
    assert "已分派 2 件" in page
    assert Case.objects.filter(pk__in=[a.pk, b.pk], state=State.DISPATCHED).count() == 2
    empty = client.post("/cases/desk/bulk/", {"matter_code": "JX-15-a"}, follow=True)
    assert "请至少选择一件" in empty.content.decode()


def test_through_the_api(demo: Any, login: Any) -> None:
    import json

    a = register(matter_code="")
    body = json.dumps({"numbers": [a.number], "matter_code": "JX-15-a"})
    refused = login("cb-office").post(
        "/api/cases/desk/dispatch", body, content_type="application/json"
    )
    assert refused.status_code == 200 and refused.json()[0]["ok"] is False
    assert Case.objects.get(pk=a.pk).state == State.REGISTERED
    done = login("office").post("/api/cases/desk/dispatch", body, content_type="application/json")
    assert done.json()[0]["ok"] is True and done.json()[0]["unit"]
    assert Case.objects.get(pk=a.pk).state == State.DISPATCHED

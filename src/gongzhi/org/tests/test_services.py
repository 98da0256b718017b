from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.common.models import AuditEvent
from gongzhi.org.models import Jurisdiction, Post
from gongzhi.org.selectors import unit_post_history, unit_post_holder
from gongzhi.org.services import (
    estate_create,
    jurisdiction_create,
    person_create,
    post_assign,
    role_grant,
    unit_create,
)


@pytest.mark.django_db
def test_jurisdiction_tree_paths_and_level_rules(demo) -> None:
    county = demo.county
    assert county.path == "/370000000000/370800000000/370829000000/"
    assert demo.jurisdictions["建设路社区"].tier == 5
    with pytest.raises(InvalidInput) as caught:
        jurisdiction_create(code="370829000000", name="", level="community", parent=county)
    fields = {e.field for e in caught.value.errors}
    assert fields == {"code", "name", "parent"}
    assert not Jurisdiction.objects.filter(name="").exists()


@pytest.mark.django_db
def test_estate_must_hang_under_a_community_and_parties_must_fit(demo) -> None:
    with pytest.raises(InvalidInput) as caught:
        estate_create(
            code="X1",
            name="错误小区",
            community=demo.jurisdictions["嘉祥街道"],
            property_company=demo.units["housing_bureau"],
        )
    assert {e.field for e in caught.value.errors} == {"community", "property_company"}


@pytest.mark.django_db
def test_changing_a_liaison_keeps_history(demo) -> None:
    unit = demo.units["market_regulation"]
    first = person_create(name="甲")
    second = person_create(name="乙")
    post_assign(unit=unit, person=first, role=Post.Role.LIAISON, start_date=dt.date(2026, 1, 1))
    post_assign(unit=unit, person=second, role=Post.Role.LIAISON, start_date=dt.date(2026, 6, 1))
    july = unit_post_holder(unit, Post.Role.LIAISON, on=dt.date(2026, 7, 1))
    march = unit_post_holder(unit, Post.Role.LIAISON, on=dt.date(2026, 3, 1))
    assert july is not None and july.person == second
    assert march is not None and march.person == first
    old = Post.objects.get(unit=unit, person=first, role=Post.Role.LIAISON)
    assert old.end_date == dt.date(2026, 5, 31)
    assert [p.person.name for p in unit_post_history(unit) if p.role == "liaison"][:2] == [
        "乙",
        "甲",
    ]
    assert AuditEvent.objects.filter(action="post.end", target_id=str(old.pk)).exists()
    with pytest.raises(DomainError):
        post_assign(unit=unit, person=first, role=Post.Role.LIAISON, start_date=dt.date(2026, 5, 1))


@pytest.mark.django_db
def test_unit_and_role_validation(demo) -> None:
    with pytest.raises(InvalidInput) as caught:
        unit_create(code="x", name="", kind="nope", jurisdiction=demo.county)
    assert {e.field for e in caught.value.errors} == {"kind", "name"}
    with pytest.raises(InvalidInput):
        role_grant(user=demo.users["resident"], role="unit_handler")


@pytest.mark.django_db
def test_leadership_group_of_003_annex_1_is_represented(demo, login) -> None:
    from gongzhi.org.models import Body

    group = Body.objects.get(kind=Body.Kind.LEADERSHIP_GROUP, jurisdiction=demo.county)
    roles = list(group.members.values_list("role", "person__name"))
    assert ("leader", "江峰") in roles
    assert sum(1 for r, _ in roles if r == "deputy_leader") == 3
    assert ("office_director", "姜传辉") in roles
    assert group.office_unit == demo.units["housing_bureau"]
    html = login("office").get(f"/bodies/{group.pk}/").content.decode()
    assert "嘉祥县物业管理工作领导小组" in html and "组长" in html and "江峰" in html

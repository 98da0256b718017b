from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from gongzhi.common.apiauth import api_auth
from gongzhi.common.schemas import READ_ERRORS, ErrorOut
from gongzhi.org.models import Estate, Jurisdiction
from gongzhi.org.permissions import scope_for
from gongzhi.org.selectors import estate_units_nearby

router = Router(tags=["组织与辖区"])


class JurisdictionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_name: str
    jurisdiction: str
    phone: str
    hotline: str


class EstateOut(Schema):
    code: str
    name: str
    community: str
    street: str | None
    address: str
    buildings: int
    households: int
    property_company: str | None
    owners_committee: str | None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    unit_ids: list[int]
    is_admin: bool


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    auth=api_auth,
    summary="当前账号与角色（会话或接口令牌）",
)
def me(request: HttpRequest) -> dict[str, object]:
    scope = scope_for(request.user)
    return {
        "username": request.user.get_username(),
        "display_name": getattr(request.user, "display_name", ""),
        "roles": sorted(scope.roles),
        "unit_ids": sorted(scope.unit_ids),
        "is_admin": scope.is_admin,
    }


@router.get("/jurisdictions", response=list[JurisdictionOut], summary="辖区树（公开）")
def jurisdictions(request: HttpRequest) -> list[dict[str, object]]:
    return [
        {
            "code": j.code,
            "name": j.name,
            "level": j.level,
            "parent": j.parent.code if j.parent else None,
        }
        for j in Jurisdiction.objects.select_related("parent")
    ]


def _estate(e: Estate) -> dict[str, object]:
    return {
        "code": e.code,
        "name": e.name,
        "community": e.community.name,
        "street": e.community.parent.name if e.community.parent else None,
        "address": e.address,
        "buildings": e.buildings,
        "households": e.households,
        "property_company": e.property_company.name if e.property_company else None,
        "owners_committee": e.owners_committee.name if e.owners_committee else None,
    }


@router.get("/estates", response=list[EstateOut], summary="小区列表（公开）")
def estates(request: HttpRequest) -> list[dict[str, object]]:
    qs = Estate.objects.select_related("community__parent", "property_company", "owners_committee")
    return [_estate(e) for e in qs]


@router.get("/estates/{code}", response={200: EstateOut, **READ_ERRORS}, summary="小区信息（公开）")
def estate_detail(request: HttpRequest, code: str) -> dict[str, object]:
    estate = get_object_or_404(
        Estate.objects.select_related("community__parent", "property_company", "owners_committee"),
        code=code,
    )
    return _estate(estate)


@router.get(
    "/estates/{code}/units",
    response={200: list[UnitOut], **READ_ERRORS},
    summary="服务该小区的单位（公开）",
)
def estate_units(request: HttpRequest, code: str) -> list[dict[str, object]]:
    estate = get_object_or_404(Estate, code=code)
    return [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind_id,
            "kind_name": u.kind.name,
            "jurisdiction": u.jurisdiction.name,
            "phone": u.phone,
            "hotline": u.hotline,
        }
        for u in estate_units_nearby(estate)
    ]

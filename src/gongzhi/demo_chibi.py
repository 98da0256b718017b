"""Demo part: a second county, 赤壁市 (001_fc2728b811b46301.txt), beside 嘉祥, so that
every rule about who may see and do what can be tried across a county boundary: its own
street, community and estates, a property company, a joint conference, one account per
role, and a few cases in different states. Its catalog is loaded by catalog/demo.py."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from gongzhi.cases import services as cs
from gongzhi.org.models import Body, BodyMember, Jurisdiction, RoleGrant, Unit
from gongzhi.org.services import (
    body_create,
    body_member_assign,
    estate_create,
    jurisdiction_create,
    role_grant,
    unit_create,
    user_create,
)

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

L = Jurisdiction.Level
START = dt.date(2024, 3, 1)

# username, name, role, unit key or None, jurisdiction name or None
ACCOUNTS = [
    ("cb-office", "黄静", RoleGrant.Role.OFFICE_STAFF, None, "赤壁市"),
    ("cb-zjj", "余涛", RoleGrant.Role.UNIT_HANDLER, "cb:housing_bureau", None),
    ("cb-jiedao", "邓丽", RoleGrant.Role.UNIT_HANDLER, "cb:street", None),
    ("cb-wy", "熊伟", RoleGrant.Role.THREE_PARTY, "cb:pc", None),
    ("cb-resident", "程红", RoleGrant.Role.RESIDENT, None, None),
    ("cb-auditor", "汪洋", RoleGrant.Role.AUDITOR, None, "赤壁市"),
]


def build(ctx: DemoContext) -> None:
    if "赤壁市" not in ctx.jurisdictions or "office" not in ctx.users:
        return
    _places(ctx)
    _people(ctx)
    _cases(ctx)


def _places(ctx: DemoContext) -> None:
    j = ctx.jurisdictions
    j["蒲圻街道"] = jurisdiction_create(
        code="421281001000", name="蒲圻街道", level=L.STREET, parent=j["赤壁市"]
    )
    j["河北社区"] = jurisdiction_create(
        code="421281001001", name="河北社区", level=L.COMMUNITY, parent=j["蒲圻街道"]
    )
    county_units = Unit.objects.filter(jurisdiction=j["赤壁市"])
    ctx.units["cb:housing_bureau"] = county_units.get(kind_id="housing_bureau")
    ctx.units["cb:street"] = unit_create(
        code="cb-jd-puqi",
        name="蒲圻街道办事处",
        kind="street_office",
        jurisdiction=j["蒲圻街道"],
        phone="0715-5321000",
    )
    ctx.units["cb:rc"] = unit_create(
        code="cb-sq-hebei",
        name="河北社区居民委员会",
        kind="residents_committee",
        jurisdiction=j["河北社区"],
        phone="0715-5321100",
    )
    ctx.units["cb:police"] = unit_create(
        code="cb-pcs-puqi",
        name="赤壁市公安局蒲圻派出所",
        kind="police_station",
        jurisdiction=j["蒲圻街道"],
        phone="0715-5321110",
    )
    ctx.units["cb:pc"] = unit_create(
        code="cb-wy",
        name="赤壁宏达物业服务有限公司",
        kind="property_company",
        jurisdiction=j["赤壁市"],
        phone="0715-5328888",
        hotline="0715-5328888",
    )
    ctx.estates["CB-E001"] = estate_create(
        code="CB-E001",
        name="金色家园",
        community=j["河北社区"],
        address="赤壁市河北大道 66 号",
        buildings=16,
        households=1120,
        property_company=ctx.units["cb:pc"],
    )
    ctx.estates["CB-E002"] = estate_create(
        code="CB-E002",
        name="滨湖小区",
        community=j["河北社区"],
        address="赤壁市滨湖路 9 号",
        buildings=6,
        households=300,
    )


def _people(ctx: DemoContext) -> None:
    from django.contrib.auth.hashers import make_password

    shared_hash = make_password(ctx.password)
    for username, name, role, unit_key, place in ACCOUNTS:
        user = user_create(
            username=username, password=ctx.password, password_hash=shared_hash, display_name=name
        )
        unit = ctx.units.get(unit_key) if unit_key else None
        role_grant(
            user=user,
            role=role,
            unit=unit,
            jurisdiction=ctx.jurisdictions[place] if place else None,
        )
        ctx.users[username] = user
        from gongzhi.org.demo_context import DemoAccount

        where = unit.name if unit else (place or "")
        ctx.accounts.append(DemoAccount(username, str(RoleGrant.Role(role).label), where))
    # The street handler also staffs the street's joint-conference office.
    role_grant(
        user=ctx.users["cb-jiedao"],
        role=RoleGrant.Role.OFFICE_STAFF,
        jurisdiction=ctx.jurisdictions["蒲圻街道"],
    )
    body = body_create(
        name="赤壁市物业管理联席会议",
        kind=Body.Kind.JOINT_CONFERENCE,
        jurisdiction=ctx.jurisdictions["赤壁市"],
        office_unit=ctx.units["cb:housing_bureau"],
        duties="统筹协调全市物业管理工作（001 三(一)）",
        source="001 三(一)",
    )
    for sort, key in enumerate(("cb:housing_bureau", "cb:street", "cb:pc")):
        body_member_assign(
            body=body, role=BodyMember.Role.MEMBER, unit=ctx.units[key], start_date=START, sort=sort
        )


def _cases(ctx: DemoContext) -> None:
    now = ctx.now
    u = ctx.users

    def at(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    # An elevator trapping people, routed by the catalog to the market regulator.
    cs.case_register(
        channel="visit",
        estate="CB-E001",
        title="3号楼电梯困人",
        description="3号楼电梯停在两层之间，困住一名老人。",
        matter_code="CB-12-b",
        reporter_name="方敏",
        reporter_phone="13907151234",
        building="3",
        actor=u["cb-office"],
        now=at(1),
    )
    # A resident's report with no kind of problem: on 赤壁's dispatch desk.
    cs.case_register(
        channel="web",
        estate="CB-E002",
        title="楼下小广场夜里有人喝酒喧哗",
        description="每晚十一点后有人在小广场喝酒大声喧哗。",
        reporter_phone="13807155678",
        actor=u["cb-resident"],
        now=at(0.5),
    )
    # Dispatched to the property company by name, handled, awaiting the rating.
    c = cs.case_register(
        channel="web",
        estate="CB-E001",
        title="5号楼楼道灯不亮",
        description="5号楼2单元楼道灯坏了半个月。",
        reporter_phone="13807155678",
        building="5",
        unit_no="2",
        room="302",
        actor=u["cb-resident"],
        now=at(5),
    )
    cs.case_dispatch(case=c, actor=u["cb-office"], unit=ctx.units["cb:pc"], now=at(4.9))
    cs.case_accept(case=c, actor=u["cb-wy"], now=at(4.8))
    cs.case_handle(case=c, actor=u["cb-wy"], result="已更换声控灯", now=at(3))
    cs.case_feedback(case=c, actor=u["cb-office"], now=at(2))

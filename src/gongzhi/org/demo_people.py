"""Demo part 3: people in posts (heads from 003 附件1, liaisons), the county leadership
group of 附件1, and one login per role."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from gongzhi.org.models import Body, BodyMember, Person, Post, RoleGrant
from gongzhi.org.services import (
    body_create,
    body_member_assign,
    person_create,
    post_assign,
    role_grant,
    user_create,
)

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoAccount, DemoContext

START = dt.date(2022, 2, 11)  # the date of 嘉政办发〔2022〕1号

# 003 附件1: 嘉祥县物业管理工作领导小组组成人员名单 (role, name, title, unit key or None)
LEADERSHIP_GROUP = [
    (BodyMember.Role.LEADER, "江峰", "县委副书记、县长", None),
    (BodyMember.Role.DEPUTY_LEADER, "张艳丽", "县委常委、副县长", None),
    (BodyMember.Role.DEPUTY_LEADER, "庞法谦", "县人大常委会副主任、县委组织部常务副部长", None),
    (BodyMember.Role.DEPUTY_LEADER, "张克环", "县政协副主席、工商联主席", None),
    (BodyMember.Role.MEMBER, "黄海忠", "县政府办公室副主任", None),
    (BodyMember.Role.MEMBER, "邱伟", "县委组织部副部长、老干部局局长", "organisation_dept"),
    (BodyMember.Role.MEMBER, "郑玉鑫", "县委宣传部副部长", "publicity_dept"),
    (BodyMember.Role.MEMBER, "姜传辉", "县住房和城乡建设局局长", "housing_bureau"),
    (BodyMember.Role.MEMBER, "曹桂生", "县市场监督管理局局长", "market_regulation"),
    (BodyMember.Role.MEMBER, "刘来芹", "县发展和改革局局长", "development_reform"),
    (BodyMember.Role.MEMBER, "李西渠", "县综合行政执法局局长", "urban_enforcement"),
    (BodyMember.Role.MEMBER, "孟祥奇", "县公安局副局长", "public_security"),
    (
        BodyMember.Role.MEMBER,
        "欧阳德成",
        "县住房和城乡建设局党组副书记、二级主任科员",
        "housing_bureau",
    ),
    (BodyMember.Role.MEMBER, "沈贻会", "县人防事务中心主任", "civil_air_defence"),
    (BodyMember.Role.MEMBER, "刘新东", "县消防救援大队大队长", "fire_rescue"),
    (BodyMember.Role.MEMBER, "聂智超", "县规划发展服务中心副主任", "natural_resources_planning"),
    (BodyMember.Role.MEMBER, "褚富强", "县民生热线服务中心副主任", "hotline_centre"),
    (BodyMember.Role.MEMBER, "李国斌", "嘉祥街道党工委副书记、办事处主任", "street:嘉祥街道"),
    (BodyMember.Role.MEMBER, "张帅", "卧龙山街道党工委副书记、办事处主任", "street:卧龙山街道"),
    (BodyMember.Role.MEMBER, "吕树全", "万张街道党工委副书记、办事处主任", "street:万张街道"),
    (BodyMember.Role.MEMBER, "王蔚", "县供电公司总经理", "utility_power"),
    (BodyMember.Role.MEMBER, "胡立明", "县瑞祥燃气有限公司经理", "utility_gas"),
    (BodyMember.Role.MEMBER, "郭全", "县创时能源有限公司经理", None),
    (BodyMember.Role.MEMBER, "张联峰", "嘉祥公用水务有限公司董事长", "utility_water"),
    (BodyMember.Role.MEMBER, "田海峰", "济宁嘉祥公用供热有限公司总经理", "utility_heat"),
    (
        BodyMember.Role.OFFICE_DIRECTOR,
        "姜传辉",
        "领导小组办公室主任（设在县住建局）",
        "housing_bureau",
    ),
]

# Members of 附件1 who head their unit (局长, 主任, 大队长, 经理 …).
HEADS = [
    ("姜传辉", "housing_bureau"),
    ("曹桂生", "market_regulation"),
    ("刘来芹", "development_reform"),
    ("李西渠", "urban_enforcement"),
    ("沈贻会", "civil_air_defence"),
    ("刘新东", "fire_rescue"),
    ("李国斌", "street:嘉祥街道"),
    ("张帅", "street:卧龙山街道"),
    ("吕树全", "street:万张街道"),
    ("王蔚", "utility_power"),
    ("胡立明", "utility_gas"),
    ("张联峰", "utility_water"),
    ("田海峰", "utility_heat"),
]

# username, the person's name (the role and unit are shown from the grant), role, unit
# key or None, jurisdiction name or None
ACCOUNTS = [
    ("admin", "平台管理员", RoleGrant.Role.PLATFORM_ADMIN, None, None),
    ("office", "刘敏", RoleGrant.Role.OFFICE_STAFF, None, "嘉祥县"),
    ("dispatcher", "王芳", RoleGrant.Role.UNIT_HANDLER, "hotline_centre", None),
    ("zjj", "赵磊", RoleGrant.Role.UNIT_HANDLER, "housing_bureau", None),
    ("zjj-head", "姜传辉", RoleGrant.Role.UNIT_HEAD, "housing_bureau", None),
    ("zfj", "孙强", RoleGrant.Role.UNIT_HANDLER, "urban_enforcement", None),
    ("scj", "周静", RoleGrant.Role.UNIT_HANDLER, "market_regulation", None),
    ("gongdian", "王雷", RoleGrant.Role.UNIT_HANDLER, "utility_power", None),
    ("jiedao", "陈晨", RoleGrant.Role.UNIT_HANDLER, "street:嘉祥街道", None),
    ("convener", "张艳丽", RoleGrant.Role.CONVENER, None, "嘉祥县"),
    ("wuye", "吴刚", RoleGrant.Role.THREE_PARTY, "pc:鸿泰", None),
    ("yeweihui", "郑华", RoleGrant.Role.THREE_PARTY, "oc:曾子花园", None),
    ("juweihui", "何丽", RoleGrant.Role.THREE_PARTY, "rc:建设路社区", None),
    ("resident", "李建国", RoleGrant.Role.RESIDENT, None, None),
    ("auditor", "钱进", RoleGrant.Role.AUDITOR, None, "嘉祥县"),
]


def build(ctx: DemoContext) -> None:
    people: dict[str, Person] = {}

    def person(name: str, phone: str = "") -> Person:
        if name not in people:
            people[name] = person_create(name=name, phone=phone)
        return people[name]

    # Heads of units named in 附件1 hold the head post since the document's date.
    for name, key in HEADS:
        title = next(t for _r, n, t, _k in LEADERSHIP_GROUP if n == name)
        if key in ctx.units:
            post_assign(
                unit=ctx.units[key],
                person=person(name),
                role=Post.Role.HEAD,
                title=title,
                start_date=START,
            )
    # A liaison for every county unit and street office; the housing bureau's liaison
    # changed in 2025 so the history shows both (000 三(二)).
    liaison_names = iter(
        [
            "王涛",
            "李娜",
            "张伟",
            "刘洋",
            "陈静",
            "杨帆",
            "赵敏",
            "黄磊",
            "周婷",
            "吴昊",
            "徐丽",
            "孙杰",
            "胡斌",
            "朱琳",
            "高峰",
            "林雪",
            "何勇",
            "郭晶",
        ]
    )
    for _key, unit in sorted(ctx.units.items()):
        if unit.jurisdiction.tier <= 4 and unit.kind_id not in ("property_company",):
            liaison = next(liaison_names, None)
            if liaison is None:
                break
            post_assign(
                unit=unit,
                person=person(liaison, f"1380537{len(people):04d}"),
                role=Post.Role.LIAISON,
                title="联络员",
                start_date=START,
            )
    if "housing_bureau" in ctx.units:
        post_assign(
            unit=ctx.units["housing_bureau"],
            person=person("马骏", "13805370999"),
            role=Post.Role.LIAISON,
            title="物业科科长、联络员",
            start_date=dt.date(2025, 3, 1),
            reason="原联络员岗位调整",
        )

    group = body_create(
        name="嘉祥县物业管理工作领导小组",
        kind=Body.Kind.LEADERSHIP_GROUP,
        jurisdiction=ctx.jurisdictions["嘉祥县"],
        office_unit=ctx.units.get("housing_bureau"),
        duties="负责全县物业管理的组织领导、综合协调等工作，开展评先创优活动（003 三(一)）",
        source="003 附件1",
    )
    for sort, (member_role, name, title, member_key) in enumerate(LEADERSHIP_GROUP):
        body_member_assign(
            body=group,
            role=member_role,
            person=person(name),
            unit=ctx.units.get(member_key or ""),
            title=title,
            start_date=START,
            sort=sort,
        )

    from django.contrib.auth.hashers import make_password

    # One hash for the shared demo password: hashing it per account took seconds.
    shared_hash = make_password(ctx.password)
    for username, display, role, unit_key, place in ACCOUNTS:
        user = user_create(
            username=username,
            password=ctx.password,
            password_hash=shared_hash,
            display_name=display,
            is_staff=role == RoleGrant.Role.PLATFORM_ADMIN,
            is_superuser=role == RoleGrant.Role.PLATFORM_ADMIN,
        )
        grant_unit = ctx.units.get(unit_key) if unit_key else None
        role_grant(
            user=user,
            role=role,
            unit=grant_unit,
            jurisdiction=ctx.jurisdictions[place] if place else None,
        )
        ctx.users[username] = user
        where = grant_unit.name if grant_unit else (place or "")
        ctx.accounts.append(_account(username, str(RoleGrant.Role(role).label), where))
    # The street office handler also staffs the street's joint-conference office.
    role_grant(
        user=ctx.users["jiedao"],
        role=RoleGrant.Role.OFFICE_STAFF,
        jurisdiction=ctx.jurisdictions["嘉祥街道"],
    )


def _account(username: str, role: str, where: str) -> DemoAccount:
    from gongzhi.org.demo_context import DemoAccount

    return DemoAccount(username=username, role=str(role), where=where)

"""Demo part 1: the administrative tree of 嘉祥县 and the places of the other seeds, the
street- and community-level units, and the estates. Division codes follow the national
12-digit scheme; those below county level are illustrative, not official."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gongzhi.org.models import Jurisdiction
from gongzhi.org.services import estate_create, jurisdiction_create, unit_create

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

L = Jurisdiction.Level

# (code, name, level, parent name)
TREE = [
    ("370000000000", "山东省", L.PROVINCE, None),
    ("370800000000", "济宁市", L.CITY, "山东省"),
    ("370829000000", "嘉祥县", L.COUNTY, "济宁市"),
    ("370829001000", "嘉祥街道", L.STREET, "嘉祥县"),
    ("370829002000", "卧龙山街道", L.STREET, "嘉祥县"),
    ("370829003000", "万张街道", L.STREET, "嘉祥县"),
    ("370829001001", "建设路社区", L.COMMUNITY, "嘉祥街道"),
    ("370829001002", "嘉宁社区", L.COMMUNITY, "嘉祥街道"),
    ("370829002001", "卧龙山社区", L.COMMUNITY, "卧龙山街道"),
    ("370829003001", "万张社区", L.COMMUNITY, "万张街道"),
    # The other seeds' places, so that their catalogs can be loaded and compared.
    ("371500000000", "聊城市", L.CITY, "山东省"),
    ("371581000000", "临清市", L.COUNTY, "聊城市"),
    ("420000000000", "湖北省", L.PROVINCE, None),
    ("421200000000", "咸宁市", L.CITY, "湖北省"),
    ("421281000000", "赤壁市", L.COUNTY, "咸宁市"),
    ("230000000000", "黑龙江省", L.PROVINCE, None),
    ("230100000000", "哈尔滨市", L.CITY, "黑龙江省"),
    ("230102000000", "道里区", L.DISTRICT, "哈尔滨市"),
]

STREETS = ["嘉祥街道", "卧龙山街道", "万张街道"]
COMMUNITIES = ["建设路社区", "嘉宁社区", "卧龙山社区", "万张社区"]


def build(ctx: DemoContext) -> None:
    for code, name, level, parent in TREE:
        ctx.jurisdictions[name] = jurisdiction_create(
            code=code,
            name=name,
            level=level,
            parent=ctx.jurisdictions[parent] if parent else None,
        )
    ctx.county = ctx.jurisdictions["嘉祥县"]


def build_local_units(ctx: DemoContext) -> None:
    """Street offices come from the catalog's member list; police stations, residents'
    committees, property companies and owners' committees are added here."""
    j = ctx.jurisdictions
    for i, street in enumerate(STREETS, start=1):
        ctx.units[f"police:{street}"] = unit_create(
            code=f"jx-pcs-{i}",
            name=f"嘉祥县公安局{street.removesuffix('街道')}派出所",
            kind="police_station",
            jurisdiction=j[street],
            phone=f"0537-68{i}1110",
            parent=ctx.units.get("public_security"),
        )
    for i, community in enumerate(COMMUNITIES, start=1):
        ctx.units[f"rc:{community}"] = unit_create(
            code=f"jx-sq-{i}",
            name=f"{community}居民委员会",
            kind="residents_committee",
            jurisdiction=j[community],
            phone=f"0537-65{i}2200",
        )
    ctx.units["pc:鸿泰"] = unit_create(
        code="jx-wy-hongtai",
        name="嘉祥鸿泰物业服务有限公司",
        kind="property_company",
        jurisdiction=j["嘉祥县"],
        phone="0537-6881234",
        hotline="0537-6881234",
    )
    ctx.units["pc:安居"] = unit_create(
        code="jx-wy-anju",
        name="嘉祥安居物业管理有限公司",
        kind="property_company",
        jurisdiction=j["嘉祥县"],
        phone="0537-6885678",
        hotline="0537-6885678",
    )
    estates = [
        # code, name, community, address, buildings, households, company key
        ("JX-E001", "曾子花园", "建设路社区", "嘉祥县建设北路 88 号", 18, 1260, "pc:鸿泰"),
        ("JX-E002", "嘉宁小区", "嘉宁社区", "嘉祥县嘉宁路 16 号", 12, 840, "pc:安居"),
        ("JX-E003", "老粮局宿舍", "建设路社区", "嘉祥县建设南路 5 号", 4, 96, None),
        ("JX-E004", "卧龙山庄", "卧龙山社区", "嘉祥县卧龙山路 201 号", 24, 1980, "pc:鸿泰"),
        ("JX-E005", "万张新村", "万张社区", "嘉祥县万张街道万张村东", 9, 420, None),
    ]
    for code, name, community, address, buildings, households, company in estates:
        ctx.estates[code] = estate_create(
            code=code,
            name=name,
            community=j[community],
            address=address,
            buildings=buildings,
            households=households,
            property_company=ctx.units[company] if company else None,
        )
    # Owners' committees for two estates; the others have none, so the residents'
    # committee acts for them (003 二(十三)1).
    from gongzhi.org.services import estate_set_parties

    for code, key in (("JX-E001", "oc:曾子花园"), ("JX-E004", "oc:卧龙山庄")):
        estate = ctx.estates[code]
        ctx.units[key] = unit_create(
            code=f"jx-ywh-{code.lower()}",
            name=f"{estate.name}业主委员会",
            kind="owners_committee",
            jurisdiction=estate.community,
            estate=estate,
            phone="",
        )
        estate_set_parties(
            estate=estate,
            property_company=estate.property_company,
            owners_committee=ctx.units[key],
            reason="业主大会选举产生",
        )
    ctx.units["ewc:曾子花园"] = unit_create(
        code="jx-hwh-e001",
        name="曾子花园环境和物业管理委员会",
        kind="estate_committee",
        jurisdiction=j["建设路社区"],
        estate=ctx.estates["JX-E001"],
    )

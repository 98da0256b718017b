"""Demo of the three parties. Notices (002 (三)第一、二条; 003 二(七)): at 曾子花园 and 嘉宁小区 the three parties'
people in charge, the year's service commitments and how they were kept, the property fee
and the parking charges with their approved base prices; at 曾子花园 the fee notice was
updated once, so its history shows two versions. Circulars (第三、四条): an urgent one with
one recipient that has not read it, and a monthly one. Reports (第五条): a change of
property company at 曾子花园 acknowledged by the street and awaiting feedback, and a
maintenance-fund report past its feedback day. A handful of rows, through the
services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.org.demo_context import DemoContext
from gongzhi.parties import services as s
from gongzhi.parties.models import Party
from gongzhi.parties.notice_kinds import Kind
from gongzhi.parties.report_kinds import ReportKind

COMMITMENTS = [
    ["报修响应", "接报后 30 分钟内响应，一般维修 24 小时内完成"],
    ["公共区域保洁", "楼道每日清扫一次，每周拖洗一次"],
    ["秩序维护", "出入口 24 小时值守，每日巡查不少于 4 次"],
    ["收支公示", "每半年公示一次物业服务费收支情况"],
]
KEPT = [
    ["报修响应", "已履行", "上半年报修 312 件，按时响应率 98%"],
    ["公共区域保洁", "基本履行", "6 月 2 次未按时拖洗，已整改"],
]


def build(ctx: DemoContext) -> None:
    if "JX-E001" not in ctx.estates or "office" not in ctx.users:
        return
    build_notices(ctx)
    build_circulars(ctx)
    build_reports(ctx)
    build_custody(ctx)
    build_works(ctx)
    build_outage(ctx)


def build_notices(ctx: DemoContext) -> None:
    now = ctx.now
    year = timezone.localtime(now).year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    office = ctx.users["office"]
    company = ctx.users.get("wuye", office)
    for code, actor, company_name, head, phone in (
        ("JX-E001", company, "嘉祥鸿泰物业服务有限公司", "孔德明", "0537-6881234"),
        ("JX-E002", office, "嘉祥安居物业管理有限公司", "颜世杰", "0537-6885678"),
    ):
        estate = ctx.estates[code]
        rc = f"{estate.community.name}居民委员会"
        people = [
            [company_name, head, "项目经理", phone],
            [rc, "何丽", "委员（分管环物委）", "0537-6512200"],
        ]
        if estate.owners_committee:
            people.append([estate.owners_committee.name, "郑华", "主任", "0537-6883300"])
        s.notice_publish(
            actor=office,
            estate=estate,
            kind=Kind.PEOPLE,
            party=Party.OFFICE,
            title="三方负责人及联系方式",
            rows=people,
            valid_from=start,
            now=now,
        )
        s.notice_publish(
            actor=actor,
            estate=estate,
            kind=Kind.COMMITMENT,
            party=Party.PROPERTY_COMPANY,
            title=f"{year} 年度物业服务承诺",
            rows=COMMITMENTS,
            valid_from=start,
            valid_until=end,
            now=now,
        )
        s.notice_publish(
            actor=actor,
            estate=estate,
            kind=Kind.COMMITMENT_KEPT,
            party=Party.PROPERTY_COMPANY,
            title=f"{year} 年上半年承诺履行情况",
            rows=KEPT,
            valid_from=dt.date(year, 7, 1),
            valid_until=end,
            now=now,
        )
        fee = s.notice_publish(
            actor=actor,
            estate=estate,
            kind=Kind.FEE,
            party=Party.PROPERTY_COMPANY,
            title="物业服务收费标准",
            body="按《物业服务收费管理办法》和县发改局核定的等级收费标准执行。",
            rows=[["二级", "住宅 0.80 元/㎡·月", "嘉发改价格〔2022〕12 号"]],
            valid_from=start,
            now=now,
        )
        s.notice_publish(
            actor=actor,
            estate=estate,
            kind=Kind.CHARGES,
            party=Party.PROPERTY_COMPANY,
            title="停车及其他收费",
            rows=[
                ["地面停车", "100 元/月", "120 元/月", "嘉发改价格〔2022〕13 号"],
                ["地下车位服务费", "60 元/月", "80 元/月", "嘉发改价格〔2022〕13 号"],
            ],
            valid_from=start,
            now=now,
        )
        if code == "JX-E001":
            s.notice_replace(
                actor=actor,
                notice=fee,
                expected_version=fee.version,
                title="物业服务收费标准（调整后）",
                body="经业主大会同意，自本年 9 月起按二级标准下浮执行。",
                rows=[["二级", "住宅 0.75 元/㎡·月", "嘉发改价格〔2022〕12 号；业主大会决定"]],
                valid_from=dt.date(year, 9, 1),
                now=now,
            )
            s.notice_publish(
                actor=ctx.users.get("yeweihui", office),
                estate=estate,
                kind=Kind.COMMON_INCOME,
                party=Party.OWNERS_COMMITTEE,
                title=f"{year} 年上半年共有部分收益及使用",
                rows=[["电梯广告", "18600", "补充维修资金 10000 元，其余用于绿化补植"]],
                valid_from=dt.date(year, 7, 1),
                valid_until=end,
                now=now,
            )


def build_circulars(ctx: DemoContext) -> None:
    """An urgent circular (002 (三)第四条) from 鸿泰 at 曾子花园 to the owners' committee, the
    residents' committee and the street office: two have read it, the street has not."""
    users = ctx.users
    if not {"wuye", "yeweihui", "juweihui", "jiedao"} <= set(users):
        return
    estate = ctx.estates["JX-E001"]
    urgent = s.circular_send(
        actor=users["wuye"],
        estate=estate,
        sender_party=Party.PROPERTY_COMPANY,
        to_parties=[Party.OWNERS_COMMITTEE, Party.RESIDENTS_COMMITTEE, Party.STREET],
        title="3 号楼供水主管破裂，今晚停水抢修",
        body=(
            "3 号楼地下供水主管今日 15 时破裂，已关阀止水，预计今晚 22 时前恢复供水。"
            "已在楼道张贴告示并通知住户储水；请业委会协助解释，请社区和街道关注进展。"
        ),
        urgent=True,
    )
    s.circular_read(actor=users["yeweihui"], circular=urgent)
    s.circular_read(actor=users["juweihui"], circular=urgent)
    s.circular_send(
        actor=users["juweihui"],
        estate=estate,
        sender_party=Party.RESIDENTS_COMMITTEE,
        to_parties=[Party.PROPERTY_COMPANY, Party.OWNERS_COMMITTEE],
        title="10 月居民反映问题及解决进展",
        body="10 月居民反映问题 12 件：已解决 9 件，正在协调 3 件（地下车库渗水、东门道闸、2 号楼电梯异响）。",
    )


def build_reports(ctx: DemoContext) -> None:
    users = ctx.users
    if not {"yeweihui", "jiedao", "wuye"} <= set(users):
        return
    estate = ctx.estates["JX-E001"]
    if "party:建设路社区" not in ctx.units and "建设路社区" in ctx.jurisdictions:
        from gongzhi.org.services import unit_create

        # The community party organisation reports reach (002 (三)第四条).
        ctx.units["party:建设路社区"] = unit_create(
            code="jx-sq-dw-jianshe",
            name="建设路社区党委",  # i18n: data (demo)
            kind="party_organisation",
            jurisdiction=ctx.jurisdictions["建设路社区"],
            phone="0537-6512201",
            source="002 (三)第四条",  # i18n: data (a policy citation)
        )
    change = s.report_file(
        actor=users["yeweihui"],
        estate=estate,
        kind=ReportKind.COMPANY_CHANGE,
        filer_party=Party.OWNERS_COMMITTEE,
        fields={
            "action": "解聘并选聘",
            "outgoing": "嘉祥鸿泰物业服务有限公司",
            "incoming": "嘉祥安居物业管理有限公司",
            "decision": "2026 年 10 月 20 日业主大会表决：同意解聘 1012 户（占 80.3%），同意选聘安居物业 986 户",
            "handover_date": f"{timezone.localtime(ctx.now).year}-12-31",
            "handover": "物业服务用房、图纸档案、设施设备台账、预收物业费 12.6 万元清退、维修资金使用账目",
        },
        now=ctx.now - dt.timedelta(days=3),
    )
    s.report_acknowledge(actor=users["jiedao"], report=change, expected_version=change.version)
    s.report_file(
        actor=users["wuye"],
        estate=estate,
        kind=ReportKind.FUND_USE,
        filer_party=Party.PROPERTY_COMPANY,
        fields={
            "item": "5 号楼屋面防水维修",
            "amount": "86000",
            "vote": "5 号楼业主 96 户，同意 81 户",
            "contractor": "嘉祥建安防水工程有限公司",
        },
        now=ctx.now - dt.timedelta(days=40),
    )


def build_custody(ctx: DemoContext) -> None:
    """老粮局宿舍 has no property company: the residents' committee of 建设路社区 holds it in
    temporary custody (001 四(二)(三)) until the owners hire one."""
    if "JX-E003" not in ctx.estates or "rc:建设路社区" not in ctx.units:
        return
    year = timezone.localtime(ctx.now).year
    s.custody_start(
        actor=ctx.users["jiedao"],
        estate=ctx.estates["JX-E003"],
        custodian_kind="residents_committee",
        custodian=ctx.units["rc:建设路社区"],
        starts=dt.date(year, 3, 1),
        ends=dt.date(year + 1, 2, 28),
        scope="公共区域保洁、垃圾清运、楼道照明和化粪池清掏；维修资金使用须经业主表决",
    )


def build_works(ctx: DemoContext) -> None:
    """A planned water works notice (004 三(三)) at 曾子花园 and 卧龙山庄, three days ahead."""
    from gongzhi.parties.services.utility import utility_work_announce

    if "utility_water" not in ctx.units:
        return
    day = timezone.localtime(ctx.now).replace(hour=8, minute=0, second=0, microsecond=0)
    utility_work_announce(
        actor=ctx.users["office"],
        utility=ctx.units["utility_water"],
        estates=[ctx.estates["JX-E001"], ctx.estates["JX-E004"]],
        supply="water",
        starts_at=day + dt.timedelta(days=3),
        ends_at=day + dt.timedelta(days=3, hours=10),
        title="建设北路供水管网改造停水",
        description="更换建设北路 DN300 供水主管阀门，停水期间请提前储水。",
        now=ctx.now,
    )


def build_outage(ctx: DemoContext) -> None:
    """An unplanned power outage (004 三(三)) at 曾子花园 since three hours ago: the power
    company (``gongdian``) opened it; three residents reported it and their cases are
    linked to it; 鸿泰 (``wuye``) has notified the
    residents and has two tasks still to do; one progress update. Closing it (restored)
    on the incident page updates the cases and tells their reporters."""
    from gongzhi.cases import services as cs

    if "gongdian" not in ctx.users or "dispatcher" not in ctx.users:
        return
    start = ctx.now - dt.timedelta(hours=3)
    power = ctx.units["utility_power"]
    outage = s.outage_open(
        actor=ctx.users["gongdian"],
        utility=power,
        estates=[ctx.estates["JX-E001"]],
        supply="power",
        title="曾子花园 10kV 线路故障停电",
        description="10kV 建设线 3 号杆跌落式熔断器故障，曾子花园 1-6 号楼停电，正在抢修。",
        started_at=start,
        expected_at=start + dt.timedelta(hours=6),
        now=start + dt.timedelta(minutes=20),
    )
    numbers = []
    for i, (title, name, phone, building) in enumerate(
        (
            ("小区突然停电，电梯停运", "孙丽华", "13805370101", "2"),  # i18n: data (demo)
            ("楼里全部停电，冰箱里的药需要冷藏", "马建军", "13905370202", "4"),  # i18n: data (demo)
            ("停电三小时了还没来电", "韩冬梅", "13705370303", "6"),  # i18n: data (demo)
        )
    ):
        case = cs.case_register(
            channel="12345",
            estate="JX-E001",
            title=title,
            description=f"{building}号楼停电，{title}。",
            matter_code="JX-14-a",
            reporter_name=name,
            reporter_phone=phone,
            building=building,
            actor=ctx.users["dispatcher"],
            now=start + dt.timedelta(minutes=30 + 40 * i),
        )
        numbers.append(case.number)
    s.outage_link(actor=ctx.users["gongdian"], outage=outage, numbers=numbers, now=ctx.now)
    update = s.outage_post(
        actor=ctx.users["gongdian"],
        outage=outage,
        text="抢修班组已到场，正在更换熔断器，预计 12:00 前恢复供电。",
    )
    type(update).objects.filter(pk=update.pk).update(created_at=ctx.now - dt.timedelta(hours=1))
    task = outage.tasks.get(kind="notify_residents")
    s.outage_task_done(
        actor=ctx.users["wuye"], task=task, note="已在业主群和各单元门口张贴停电通知"
    )

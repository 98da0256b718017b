"""Demo of a rectification campaign (002's covering notice): 嘉祥县's office runs
物业服务收费信息不透明问题专项整治 with a 小区摸排认定表 of eight fields and four classes.
嘉祥街道 has surveyed two of its three estates and sent its first progress report on
time; 卧龙山街道's estate is surveyed and its report, received on paper, was entered by the
office after the deadline; 万张街道 has returned nothing. Through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.campaigns import services as s
from gongzhi.org.demo_context import DemoContext

# i18n: data (demo campaign; the field set follows 黄石市专业化物业服务收费信息不透明问题
# 专项整治实施方案 as cited by 002's covering notice)
TITLE = "物业服务收费信息不透明问题专项整治"
BASIS = "阳新县民政局《关于进一步加强“三方联动”机制(四项制度)细则落实的工作提示》三"
FIELDS = [
    {"key": "company", "label": "物业服务企业", "kind": "text", "help": "无物业的填“无”"},
    {"key": "fee", "label": "物业费标准（元/㎡·月）", "kind": "number"},
    {
        "key": "fee_basis",
        "label": "收费依据",
        "kind": "choice",
        "required": True,
        "choices": ["政府指导价", "市场调节价", "未明确"],
    },
    {"key": "fee_public", "label": "收费标准是否公示", "kind": "yesno", "required": True},
    {"key": "accounts_public", "label": "是否公布年度收支", "kind": "yesno", "required": True},
    {"key": "income_public", "label": "公共收益是否公示", "kind": "yesno"},
    {"key": "checked_on", "label": "摸排日期", "kind": "date", "required": True},
    {"key": "problems", "label": "主要问题", "kind": "text", "help": "列入整治范围的写明问题"},
]
CLASSES = ["已规范", "需整改", "整改中", "已整改"]  # i18n: data (demo classes)
SURVEYS = [  # i18n: data (demo answers)
    (
        "jiedao",
        "JX-E001",
        "需整改",
        {
            "company": "嘉祥鸿泰物业服务有限公司",
            "fee": "1.2",
            "fee_basis": "市场调节价",
            "fee_public": "是",
            "accounts_public": "否",
            "income_public": "否",
            "problems": "未公布年度收支；停车场收益未公示",
        },
    ),
    (
        "jiedao",
        "JX-E002",
        "已规范",
        {
            "company": "嘉祥安居物业管理有限公司",
            "fee": "0.9",
            "fee_basis": "政府指导价",
            "fee_public": "是",
            "accounts_public": "是",
            "income_public": "是",
        },
    ),
    (
        "office",
        "JX-E004",
        "整改中",
        {
            "company": "嘉祥鸿泰物业服务有限公司",
            "fee": "1.5",
            "fee_basis": "未明确",
            "fee_public": "否",
            "accounts_public": "否",
            "problems": "收费标准未上墙，已约谈企业",
        },
    ),
]
REPORT = {  # i18n: data (demo report text)
    "situation": "辖区住宅小区 {n} 个，已摸排 {done} 个，初步认定需整改 1 个。",
    "measures": "召开社区、业委会、物业三方联席会议；逐小区核对收费公示栏。",
    "problems": "无物业小区收费信息难以核实，建议县住建局明确认定口径。",
}


def build(ctx: DemoContext) -> None:
    if "JX-E001" not in ctx.estates or "office" not in ctx.users or ctx.county is None:
        return
    today = timezone.localtime(ctx.now).date()
    campaign = s.campaign_start(
        actor=ctx.users["office"],
        jurisdiction=ctx.county,
        title=TITLE,
        basis=BASIS,
        starts=today - dt.timedelta(days=25),
        ends=today + dt.timedelta(days=60),
        survey_due=today - dt.timedelta(days=3),
        report_dues=[today - dt.timedelta(days=5), today + dt.timedelta(days=25)],
        fields=FIELDS,
        classes=CLASSES,
    )
    for username, code, klass, values in SURVEYS:
        s.survey_submit(
            actor=ctx.users[username],
            campaign=campaign,
            estate=ctx.estates[code],
            classification=klass,
            values={**values, "checked_on": (today - dt.timedelta(days=10)).isoformat()},
        )
    first_due = today - dt.timedelta(days=5)
    for username, street, n, done, days_before in (
        ("jiedao", "嘉祥街道", 3, 2, 6),
        ("office", "卧龙山街道", 1, 1, 2),
    ):
        s.progress_report_file(
            actor=ctx.users[username],
            campaign=campaign,
            street=ctx.jurisdictions[street],
            due=first_due,
            situation=REPORT["situation"].format(n=n, done=done),
            measures=REPORT["measures"],
            problems=REPORT["problems"],
            now=ctx.now - dt.timedelta(days=days_before),
        )

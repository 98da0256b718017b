"""The reports of major events (报告, 002 (三)第四条, feedback 第五条; 003 二(十三)): for each kind the fields
the event needs, the bodies it must reach and the days within which they give feedback.
This is data: a county that reports other events, or to other bodies, changes it here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    OC_ELECTION = "oc_election", _("业主委员会选举或成员变更")
    COMPANY_HEAD = "company_head", _("物业服务企业项目负责人变更")
    COMPANY_CHANGE = "company_change", _("选聘或解聘物业服务企业")
    FACILITY_REPAIR = "facility_repair", _("共用设施设备维修改造")
    FUND_USE = "fund_use", _("维修资金使用")
    COMMON_INCOME = "common_income", _("共有部分经营及收益")


@dataclass(frozen=True)
class ReportField:
    key: str
    label: str | Promise
    kind: str = "text"  # text, longtext, date, amount
    required: bool = True


@dataclass(frozen=True)
class ReportSpec:
    kind: ReportKind
    fields: tuple[ReportField, ...]
    # The bodies it must reach (models.ReportBody): parties of the estate (street,
    # residents_committee, …), "party_org" the community party organisation, "conference"
    # the community's three-party conference (each of its seats), and "office", the
    # joint-conference office over the estate.
    reach: tuple[str, ...]
    feedback_days: int
    source: str


F = ReportField
# 002 (三)第四条: 前述有关情况有关方应依规依程序向街道(乡镇)、社区党组织、社区居民委员会、联席会议
# 书面或口头报告 — every kind below reaches these four; some also reach another body.
BASE = ("street", "party_org", "residents_committee", "conference")
SPECS: dict[str, ReportSpec] = {
    s.kind.value: s
    for s in (
        ReportSpec(
            ReportKind.OC_ELECTION,
            (
                F("event", _("事项（选举、换届、增补或罢免）")),
                F("date", _("业主大会日期"), "date"),
                F("members", _("业主委员会成员及分工"), "longtext"),
                F("term", _("任期")),
            ),
            reach=(*BASE, "office"),
            feedback_days=15,
            source="002 (三)第四条",  # i18n: data (a policy citation)
        ),
        ReportSpec(
            ReportKind.COMPANY_HEAD,
            (
                F("old_head", _("原负责人")),
                F("new_head", _("新负责人")),
                F("post", _("职务")),
                F("office_phone", _("办公电话")),
                F("effective", _("变更日期"), "date"),
            ),
            reach=(*BASE, "owners_committee"),
            feedback_days=10,
            source="002 (三)第四条",  # i18n: data (a policy citation)
        ),
        ReportSpec(
            ReportKind.COMPANY_CHANGE,
            (
                F("action", _("事项（选聘、续聘或解聘）")),
                F("outgoing", _("原物业服务企业"), required=False),
                F("incoming", _("新物业服务企业"), required=False),
                F("decision", _("业主大会决定（日期、表决结果）"), "longtext"),
                F("handover_date", _("交接日期"), "date"),
                F(
                    "handover",
                    _("退出交接事项（资料、设施设备、预收费用、维修资金账目）"),
                    "longtext",
                ),
            ),
            reach=(*BASE, "office"),
            feedback_days=15,
            source="002 (三)第四条；003 二(十三)",  # i18n: data (a policy citation)
        ),
        ReportSpec(
            ReportKind.FACILITY_REPAIR,
            (
                F("item", _("维修改造项目")),
                F("location", _("位置")),
                F("budget", _("预算（元）"), "amount"),
                F("funding", _("资金来源")),
                F("schedule", _("工期")),
            ),
            reach=(*BASE, "owners_committee"),
            feedback_days=10,
            source="002 (三)第四条",  # i18n: data (a policy citation)
        ),
        ReportSpec(
            ReportKind.FUND_USE,
            (
                F("item", _("使用项目")),
                F("amount", _("金额（元）"), "amount"),
                F("vote", _("业主表决情况")),
                F("contractor", _("施工单位"), required=False),
            ),
            reach=(*BASE, "office"),
            feedback_days=15,
            source="002 (三)第四条",  # i18n: data (a policy citation)
        ),
        ReportSpec(
            ReportKind.COMMON_INCOME,
            (
                F("item", _("经营项目")),
                F("period", _("期间")),
                F("amount", _("收益（元）"), "amount"),
                F("use", _("使用情况"), "longtext"),
            ),
            reach=BASE,
            feedback_days=15,
            source="002 (三)第四条；003 二(七)",  # i18n: data (a policy citation)
        ),
    )
}

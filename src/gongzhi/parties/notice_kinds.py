"""What the estate board must show, kind by kind (002 (三)第一、二条; 001 三(二); 003 二(七)):
for each kind its label, the columns of its rows, whether it stays until replaced
(long-term) and its source. The rows are data; these columns say what a row holds."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PEOPLE = "people", _("三方负责人")
    COMMITMENT = "commitment", _("年度服务承诺")
    COMMITMENT_KEPT = "commitment_kept", _("承诺履行情况")
    FEE = "fee", _("物业服务收费")
    CHARGES = "charges", _("停车及其他收费")
    COMMON_INCOME = "common_income", _("共有部分收益及使用")
    FUND_SPENDING = "fund_spending", _("维修资金使用")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    required: bool = True
    # The column holds a contact number that the public sees: office numbers only.
    office_phone: bool = False


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    columns: tuple[Column, ...]
    long_term: bool
    source: str


SPECS: dict[str, KindSpec] = {
    s.kind.value: s
    for s in (
        KindSpec(
            Kind.PEOPLE,
            (
                Column("party", _("单位")),
                Column("name", _("姓名")),
                Column("post", _("职务")),
                Column("phone", _("办公电话"), office_phone=True),
            ),
            long_term=True,
            source="002 (三)第一条",  # i18n: data (a policy citation)
        ),
        KindSpec(
            Kind.COMMITMENT,
            (Column("item", _("承诺事项")), Column("standard", _("标准或时限"))),
            long_term=False,
            source="002 (三)第一条",  # i18n: data (a policy citation)
        ),
        KindSpec(
            Kind.COMMITMENT_KEPT,
            (
                Column("item", _("承诺事项")),
                Column("result", _("履行情况")),
                Column("note", _("说明"), required=False),
            ),
            long_term=False,
            source="002 (三)第一条",  # i18n: data (a policy citation)
        ),
        KindSpec(
            Kind.FEE,
            (
                Column("level", _("服务等级")),
                Column("standard", _("收费标准")),
                Column("basis", _("依据")),
            ),
            long_term=True,
            source="003 二(七)；001 三(二)",  # i18n: data (a policy citation)
        ),
        KindSpec(
            Kind.CHARGES,
            (
                Column("item", _("收费项目")),
                Column("price", _("收费标准")),
                Column("base_price", _("核定基准价")),
                Column("basis", _("依据")),
            ),
            long_term=True,
            source="003 二(七)",  # i18n: data (a policy citation)
        ),
        KindSpec(
            Kind.COMMON_INCOME,
            (
                Column("item", _("收益项目")),
                Column("amount", _("金额（元）")),
                Column("use", _("使用情况")),
            ),
            long_term=False,
            source="002 (三)第一条；003 二(七)",  # i18n: data (a policy citation)
        ),
        KindSpec(
            Kind.FUND_SPENDING,
            (
                Column("item", _("使用项目")),
                Column("amount", _("金额（元）")),
                Column("status", _("进度")),
            ),
            long_term=False,
            source="002 (三)第一条",  # i18n: data (a policy citation)
        ),
    )
}


def spec(kind: str) -> KindSpec:
    return SPECS[kind]

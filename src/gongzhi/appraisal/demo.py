"""Demo part: the credit rules of data/credit_rules.yaml; in 赤壁市 ten more property
companies beside 宏达, with credit records over 2026Q1–Q3 (trainings, an award, a
penalty, conference criticisms) such that, when the office closes 2026Q3, 宏达 has been
in the top five three times running (¥50,000 reward proposed) and 赤壁顺安物业 in the
bottom five three times running (barred from tendering for a year, exposed); and one
pending objection. Then the facts of the demo's cases are collected. Records are
bulk-created (demo facts, keyed ``demo:…``); the close and the objection go through the
services. And two democratic appraisals (build_reviews), 嘉祥县's unit assessment for
2026 (assessment_demo.py), and the social rating, awards and accountability lists of
嘉祥县 (demo_social.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from gongzhi.appraisal.models import CreditRecord
from gongzhi.appraisal.periods import Period
from gongzhi.appraisal.services import (
    credit_collect,
    credit_objection_raise,
    credit_period_close,
    credit_rules_load,
)
from gongzhi.appraisal.services.credit import expiry
from gongzhi.org.services import unit_create

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

# Key, name of the other companies (宏达 is "A").
COMPANIES = [
    ("B", "赤壁佳和物业管理有限公司"),
    ("C", "赤壁正阳物业服务有限公司"),
    ("D", "赤壁恒通物业管理有限公司"),
    ("E", "赤壁万家物业服务有限公司"),
    ("F", "赤壁江南物业管理有限公司"),
    ("G", "赤壁东湖物业服务有限公司"),
    ("H", "赤壁华庭物业管理有限公司"),
    ("I", "赤壁康居物业服务有限公司"),
    ("J", "赤壁金桂物业管理有限公司"),
    ("K", "赤壁顺安物业服务有限公司"),
]
# Each quarter's points above the base, made of trainings (+2 each, at most +6) and
# conference criticisms (−5, in their quarter only): delta → (trainings, criticisms).
MAKE = {6: (3, 0), 4: (2, 0), 2: (1, 0), 1: (3, 1), 0: (0, 0), -1: (2, 1), -3: (1, 1)}
MAKE |= {-4: (3, 2), -5: (0, 1)}
# The top five rotate except A; the bottom five rotate except K (K: a penalty, −10 for
# a year; A: an award, +5 for a year, and three trainings each quarter).
QUARTERS = {
    1: {"B": 6, "C": 4, "D": 2, "E": 1, "F": 0, "G": -1, "H": -3, "I": -4, "J": -5},
    2: {"F": 6, "G": 4, "H": 2, "B": 1, "C": 0, "D": -1, "E": -3, "I": -4, "J": -5},
    3: {"I": 6, "J": 4, "C": 2, "D": 1, "E": 0, "B": -1, "F": -3, "G": -4, "H": -5},
}


def build(ctx: DemoContext) -> None:
    policies = {p.jurisdiction.code: p for p in credit_rules_load()}
    chibi = policies.get("421281000000")
    if chibi is not None and "cb:pc" in ctx.units:
        build_credit(ctx, chibi)
    build_reviews(ctx)
    from gongzhi.appraisal.assessment_demo import build_assessment

    build_assessment(ctx)
    from gongzhi.appraisal import demo_social

    demo_social.build(ctx)


def build_credit(ctx: DemoContext, chibi: Any) -> None:
    units = {"A": ctx.units["cb:pc"]}
    for i, (key, name) in enumerate(COMPANIES, start=2):
        units[key] = ctx.units[f"cb:pc:{key}"] = unit_create(
            code=f"cb-wy-{i:02d}",
            name=name,
            kind="property_company",
            jurisdiction=ctx.jurisdictions["赤壁市"],
            phone=f"0715-53200{i:02d}",
        )
    rules = {r.code: r for r in chibi.rules.all()}
    records: list[CreditRecord] = []

    def add(key: str, code: str, day: dt.date, note: str, ref: str = "") -> None:
        rule = rules[code]
        records.append(
            CreditRecord(
                company=units[key],
                rule=rule,
                points=rule.points,
                occurred_on=day,
                expires_on=expiry(rule, day, chibi.period),
                note=note,
                source_ref=ref,
                key=f"demo:{key}:{code}:{day.isoformat()}:{len(records)}",
            )
        )

    add("A", "award", dt.date(2026, 2, 10), "获评年度物业服务示范项目", "赤住建〔2026〕8号")
    add(
        "K",
        "penalty",
        dt.date(2026, 1, 15),
        "擅自停止电梯维保，被责令改正并罚款",
        "赤市监罚〔2026〕3号",
    )
    for q, deltas in QUARTERS.items():
        start = Period("quarter", 2026, q).start
        deltas = {**deltas, "A": 6}
        for key, delta in deltas.items():
            trainings, criticisms = MAKE[delta]
            for n in range(trainings):
                add(
                    key,
                    "training",
                    start + dt.timedelta(days=20 + n * 7),
                    "参加物业行业业务培训",
                    f"赤住建培〔2026〕{q}号",
                )
            for n in range(criticisms):
                add(
                    key,
                    "conference",
                    start + dt.timedelta(days=45 + n * 7),
                    "联席会议通报：投诉处置不及时",
                    f"赤壁市物业管理联席会议纪要 2026 年第 {q} 期",
                )
    CreditRecord.objects.bulk_create(records)
    credit_period_close(policy=chibi, period="2026Q3", actor=None)
    penalty = CreditRecord.objects.get(company=units["K"], rule__code="penalty")
    credit_objection_raise(record=penalty, reason="已在期限内整改完毕，申请撤销该记录", actor=None)
    credit_collect()


# The democratic appraisal (002 (四)): 嘉祥街道's 2026 campaign, posted with one objection
# answered; 蒲圻街道's running, with half its sheets in.
STANDARD = [
    ("联动机制运行：参加联席会议、落实议定事项", 20, ""),
    ("服务承诺和合同履行", 30, ""),
    ("投诉受理和解决", 30, "cases"),
    ("小区秩序和安全", 20, "accountability"),
]


def build_reviews(ctx: DemoContext) -> None:
    from gongzhi.appraisal.services import (
        ItemRow,
        campaign_create,
        review_codes_issue,
        review_objection_answer,
        review_objection_record,
        review_open,
        review_publish,
        review_sheet_submit,
        review_standard_set,
    )

    rows = [ItemRow(title, weight, measure=measure) for title, weight, measure in STANDARD]
    for street, sheets, publish in (("嘉祥街道", 6, True), ("蒲圻街道", 3, False)):
        if street not in ctx.jurisdictions:
            continue
        campaign = campaign_create(
            street=ctx.jurisdictions[street], year=2026, quorum=6 if publish else 5, actor=None
        )
        review_standard_set(campaign=campaign, rows=rows, actor=None)
        codes = review_codes_issue(
            campaign=campaign, counts={"owner": 3, "party_member": 2, "three_party": 1}, actor=None
        )
        review_open(campaign=campaign, actor=None)
        subjects = list(campaign.subjects.all())
        items = list(campaign.items.all())
        for n, (_label, code) in enumerate(codes[:sheets]):
            points = {
                (x.pk, i.pk): max(0, i.weight - (n + k) % 4 - (3 if x.party == "company" else 0))
                for k, x in enumerate(subjects)
                for i in items
            }
            review_sheet_submit(code=code, points=points)
        if publish:
            review_publish(campaign=campaign, actor=None)
            company = next(x for x in subjects if x.party == "company")
            objection = review_objection_record(
                campaign=campaign,
                subject=company,
                text="地下车库照明长期不亮，物业服务评分偏高",
                raised_by="曾子花园业主（电话已登记）",
                actor=None,
            )
            review_objection_answer(
                objection=objection,
                answer="经社区核实，照明已于 11 月修复；评分系评议人独立打分，维持结果。",
                actor=None,
            )

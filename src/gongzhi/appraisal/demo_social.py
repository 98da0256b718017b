"""Demo part: in 嘉祥县 a 群众满意单位 rating that ended ten days ago with six survey votes
(each number verified by the SMS code the outbox queued) and its results published, a
second one open now for anyone to try at /appraisal/survey/<id>/, and the year's list of
proposed awards and accountability cases, one adopted by the convener."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from gongzhi.appraisal.models import Proposal, SatisfactionPeriod
from gongzhi.appraisal.services import (
    proposal_decide,
    proposals_generate,
    satisfaction_create,
    satisfaction_publish,
    survey_code_send,
    survey_vote,
)

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

# Six residents' answers: unit key → rating (keys of org/demo.py's ctx.units).
VOTES = [
    {"housing_bureau": "satisfied", "pc:鸿泰": "satisfied", "urban_enforcement": "basic"},
    {"housing_bureau": "satisfied", "pc:鸿泰": "basic", "urban_enforcement": "dissatisfied"},
    {"housing_bureau": "basic", "pc:鸿泰": "satisfied", "urban_enforcement": "dissatisfied"},
    {"housing_bureau": "satisfied", "pc:安居": "dissatisfied", "urban_enforcement": "basic"},
    {"pc:鸿泰": "satisfied", "pc:安居": "basic", "market_regulation": "satisfied"},
    {"housing_bureau": "dissatisfied", "pc:安居": "dissatisfied", "market_regulation": "basic"},
]


def _code(period: SatisfactionPeriod) -> str:
    from gongzhi.notify.models import Message

    sms = Message.objects.filter(
        event="verify_code", target=f"appraisal.satisfactionperiod:{period.pk}"
    ).latest("id")
    return str(sms.params["code"])


def build(ctx: DemoContext) -> None:
    county = ctx.jurisdictions.get("嘉祥县")
    office = ctx.users.get("office")
    if county is None or office is None:
        return
    today = ctx.now.date()
    done = satisfaction_create(
        jurisdiction=county,
        title=f"{today.year} 年群众满意单位评议（第一期）",  # i18n: data (demo)
        starts_on=today - dt.timedelta(days=120),
        ends_on=today - dt.timedelta(days=10),
        min_ratings=2,
        actor=office,
    )
    voted_at = ctx.now - dt.timedelta(days=15)
    units = {k: u for k, u in ctx.units.items()}
    for n, answers in enumerate(VOTES):
        phone = f"1390537{n:04d}"
        survey_code_send(period=done, phone=phone, now=voted_at)
        ratings = {units[k].pk: v for k, v in answers.items() if k in units}
        survey_vote(period=done, phone=phone, code=_code(done), ratings=ratings, now=voted_at)
    satisfaction_publish(period=done, actor=office)
    satisfaction_create(
        jurisdiction=county,
        title=f"{today.year} 年群众满意单位评议（第二期）",  # i18n: data (demo)
        starts_on=today - dt.timedelta(days=9),
        ends_on=today + dt.timedelta(days=60),
        actor=office,
    )
    year = done.ends_on.year
    made = proposals_generate(jurisdiction=county, year=year, actor=office)
    convener = ctx.users.get("convener")
    first = next((p for p in made if p.kind == Proposal.Kind.AWARD), None)
    if convener is not None and first is not None:
        proposal_decide(
            proposal=first,
            adopted=True,
            note="经联席会议研究，予以通报表扬",  # i18n: data (demo)
            actor=convener,
        )

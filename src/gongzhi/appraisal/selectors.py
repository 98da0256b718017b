"""Scores, rankings and standings, recomputed from the records every time they are read.

A record counts in a period when it is in force on the period's last day: it occurred
on or before that day, has not expired by then (``expires_on`` is the first day it no
longer counts) and is active (an upheld objection withdraws it). The points of one
rule in one period are clamped to the rule's cap. Score = base + the sum.

Ranking: by score, highest first; equal scores share a rank (1, 2, 2, 4). The red list
is the companies ranked within the policy's list size from the top, the black list
those within it from the bottom; with fewer than twice the list size companies, each
list takes half of them (rounded down), so no company is on both. Companies tied at
the boundary are all on the list; a company whose score equals the lowest (highest) of
the field is never on the red (black) list, so a period where all are equal has no list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.appraisal.access import rated_only
from gongzhi.appraisal.models import CreditPolicy, CreditRecord, CreditRule, CreditStanding
from gongzhi.appraisal.periods import Period, period_of
from gongzhi.org.models import Unit


@dataclass
class RuleLine:
    rule: CreditRule
    raw: int = 0
    counted: int = 0
    capped: bool = False


@dataclass
class Score:
    company: Unit
    period: Period
    base: int
    total: int
    lines: list[RuleLine] = field(default_factory=list)


@dataclass
class RankRow:
    company: Unit
    score: int
    rank: int
    band: str  # "red", "black" or ""


def period_kind(policy: CreditPolicy) -> str:
    return policy.period


def companies(policy: CreditPolicy) -> QuerySet[Unit]:
    """The companies the policy rates: active units of its subject kinds in its area
    that manage an estate or have a credit record, except those under a nearer policy of
    their own. (A duty catalog lists "物业服务企业" as a member unit standing for the whole
    trade; it manages nothing and has no record, so it is not ranked.)"""
    qs = rated_only(
        Unit.objects.filter(
            is_active=True,
            kind_id__in=policy.subject_kinds or [],
            jurisdiction__path__startswith=policy.jurisdiction.path,
        )
    )
    nearer = CreditPolicy.objects.filter(
        jurisdiction__path__startswith=policy.jurisdiction.path
    ).exclude(pk=policy.pk)
    for path in nearer.values_list("jurisdiction__path", flat=True):
        qs = qs.exclude(jurisdiction__path__startswith=path)
    return qs.order_by("name")


def in_force(records: QuerySet[CreditRecord], day: dt.date) -> QuerySet[CreditRecord]:
    return records.filter(state=CreditRecord.State.ACTIVE, occurred_on__lte=day, expires_on__gt=day)


def _clamp(rule: CreditRule, raw: int) -> tuple[int, bool]:
    if rule.cap is None or abs(raw) <= rule.cap:
        return raw, False
    return (rule.cap if raw > 0 else -rule.cap), True


def scores(policy: CreditPolicy, period: Period, units: Iterable[Unit]) -> dict[int, Score]:
    """Every company's score for the period, from one query over the records."""
    rules = {r.pk: r for r in policy.rules.all()}
    units = list(units)
    raw: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = in_force(
        CreditRecord.objects.filter(company__in=[u.pk for u in units], rule__policy=policy),
        period.end,
    ).values_list("company_id", "rule_id", "points")
    for company_id, rule_id, points in rows.iterator(chunk_size=5000):
        raw[company_id][rule_id] += points
    found: dict[int, Score] = {}
    for unit in units:
        lines = []
        total = policy.base_score
        for rule_id, value in raw[unit.pk].items():
            counted, capped = _clamp(rules[rule_id], value)
            total += counted
            lines.append(RuleLine(rules[rule_id], value, counted, capped))
        lines.sort(key=lambda line: (line.rule.sort, line.rule.code))
        found[unit.pk] = Score(unit, period, policy.base_score, total, lines)
    return found


def ranking(policy: CreditPolicy, period: Period) -> list[RankRow]:
    units = list(companies(policy))
    by_company = scores(policy, period, units)
    ordered = sorted(units, key=lambda u: (-by_company[u.pk].total, u.name))
    values = [by_company[u.pk].total for u in ordered]
    size = min(policy.list_size, len(ordered) // 2)
    rows = []
    for unit in ordered:
        score = by_company[unit.pk].total
        rank = 1 + sum(1 for v in values if v > score)
        from_bottom = 1 + sum(1 for v in values if v < score)
        band = ""
        if size and rank <= size and score > values[-1]:
            band = "red"
        elif size and from_bottom <= size and score < values[0]:
            band = "black"
        rows.append(RankRow(unit, score, rank, band))
    return rows


def streaks(policy: CreditPolicy, period: Period) -> dict[str, list[Unit]]:
    """The companies on the red (black) list in ``policy.streak`` periods running, ending
    with ``period``."""
    periods = [period]
    while len(periods) < max(policy.streak, 1):
        periods.append(periods[-1].previous())
    red: set[int] | None = None
    black: set[int] | None = None
    units: dict[int, Unit] = {}
    for p in periods:
        rows = ranking(policy, p)
        units.update({r.company.pk: r.company for r in rows})
        these_red = {r.company.pk for r in rows if r.band == "red"}
        these_black = {r.company.pk for r in rows if r.band == "black"}
        red = these_red if red is None else red & these_red
        black = these_black if black is None else black & these_black
    return {
        "red": sorted((units[pk] for pk in red or ()), key=lambda u: u.name),
        "black": sorted((units[pk] for pk in black or ()), key=lambda u: u.name),
    }


@dataclass
class Standing:
    kind: str  # "normal", "rewarded", "barred"
    label: str
    until: dt.date | None = None
    standing: CreditStanding | None = None


def standing_of(company: Unit, day: dt.date) -> Standing:
    """Barred (until its end date) beats rewarded; otherwise normal."""
    current = list(
        CreditStanding.objects.filter(
            company=company, starts_on__lte=day, ends_on__gte=day
        ).order_by("kind", "-ends_on")
    )
    bar = next((s for s in current if s.kind == CreditStanding.Kind.BAR), None)
    if bar is not None:
        return Standing(
            "barred",
            _("禁止参与招投标至 %(date)s") % {"date": bar.ends_on.isoformat()},
            bar.ends_on,
            bar,
        )
    reward = next((s for s in current if s.kind == CreditStanding.Kind.REWARD), None)
    if reward is not None:
        return Standing(
            "rewarded",
            _("红榜连续 %(n)s 次前列（%(since)s）")
            % {"n": len(reward.periods), "since": reward.periods[0]},
            reward.ends_on,
            reward,
        )
    return Standing("normal", _("正常"))


def explained(record: CreditRecord, period: Period) -> str:
    """Why a record does or does not count in the period, in words."""
    if record.state != CreditRecord.State.ACTIVE:
        return _("已撤销，不计分")
    if record.occurred_on > period.end:
        return _("发生在本期之后")
    if record.expires_on <= period.end:
        return _("已于 %(date)s 失效") % {"date": record.expires_on.isoformat()}
    return _("计入本期")


def company_records(company: Unit, policy: CreditPolicy, period: Period) -> list[CreditRecord]:
    """The records that count in the period and those that no longer (or not yet) do
    but were in force during it, newest first."""
    return list(
        CreditRecord.objects.filter(
            company=company,
            rule__policy=policy,
            occurred_on__lte=period.end,
            expires_on__gt=period.start,
        )
        .select_related("rule", "case", "accountability", "manager", "recorded_by")
        .prefetch_related("objections")
        .order_by("-occurred_on", "-id")
    )


def current_period(policy: CreditPolicy, today: dt.date) -> Period:
    return period_of(today, policy.period)

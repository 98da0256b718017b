"""``gongzhi bench appraisal``: recompute every credit score of a county with 200 property
companies and 100,000 cases (issue 10: under 10 s).

In one transaction that is rolled back at the end (the database is left as it was): a
scratch county with one street, one community, 200 companies each managing one estate,
100,000 closed cases over 2026 (a third rated satisfied, a tenth dissatisfied) and 4,000
accountability records, all bulk-created; the credit rules of 赤壁 (data/credit_rules.yaml)
copied to it. Then, timed: ``credit_collect`` (turns the cases' facts into records), the
ranking of every quarter of 2026 (every company's score), and the three-periods-running
check of 2026Q4. Run it on a migrated database (``gongzhi migrate`` first)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from django.db import transaction

from gongzhi.appraisal import selectors
from gongzhi.appraisal.models import CreditPolicy, CreditRecord, CreditRule
from gongzhi.appraisal.periods import Period
from gongzhi.appraisal.services import credit_collect
from gongzhi.cases.models import Accountability, Case, Rating, State
from gongzhi.org.models import Estate, Jurisdiction, Unit, UnitKind

COMPANIES = 200
CASES = 100_000
ACCOUNTABILITIES = 4_000
RULES = Path(__file__).resolve().parent.parent / "appraisal" / "data" / "credit_rules.yaml"


class _Rollback(Exception):
    pass


def _jurisdiction(code: str, name: str, level: str, parent: Jurisdiction | None) -> Jurisdiction:
    path = (parent.path if parent else "/") + code + "/"
    return Jurisdiction.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=path,
        depth=(parent.depth + 1) if parent else 0,
    )


def _build(log: Callable[[str], None]) -> CreditPolicy:
    rnd = random.Random(10)
    L = Jurisdiction.Level
    county = _jurisdiction("990100000000", "基准县", L.COUNTY, None)
    street = _jurisdiction("990100001000", "基准街道", L.STREET, county)
    community = _jurisdiction("990100001001", "基准社区", L.COMMUNITY, street)
    UnitKind.objects.get_or_create(
        code="property_company", defaults={"name": "物业服务企业", "group": "three_party"}
    )
    Unit.objects.bulk_create(
        Unit(
            code=f"bench-wy-{i:03d}",
            name=f"基准物业{i:03d}",
            kind_id="property_company",
            jurisdiction=county,
        )
        for i in range(COMPANIES)
    )
    companies = list(Unit.objects.filter(code__startswith="bench-wy-").order_by("code"))
    Estate.objects.bulk_create(
        Estate(
            code=f"BENCH-{i:03d}", name=f"基准小区{i:03d}", community=community, property_company=c
        )
        for i, c in enumerate(companies)
    )
    estates = list(Estate.objects.filter(code__startswith="BENCH-").order_by("code"))
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    t0 = time.perf_counter()
    batch: list[Case] = []
    for n in range(CASES):
        i = rnd.randrange(COMPANIES)
        at = start + dt.timedelta(minutes=rnd.randrange(365 * 24 * 60))
        roll = rnd.random()
        rating = Rating.SATISFIED if roll < 0.33 else Rating.DISSATISFIED if roll < 0.43 else ""
        batch.append(
            Case(
                number=f"990100-2026-{n:06d}",
                jurisdiction=county,
                year=2026,
                channel="12345",
                estate=estates[i],
                area_path=community.path,
                level=street,
                lead_unit=companies[i],
                title="基准案件",
                description="基准",
                state=State.CLOSED,
                rating=rating,
                created_at=at,
                closed_at=at + dt.timedelta(days=2),
            )
        )
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    case_ids = list(
        Case.objects.filter(jurisdiction=county).values_list("pk", "lead_unit_id")[
            :ACCOUNTABILITIES
        ]
    )
    kinds = [k for k, _ in Accountability.Kind.choices]
    Accountability.objects.bulk_create(
        Accountability(
            unit_id=unit_id,
            case_id=pk,
            kind=kinds[n % len(kinds)],
            reason="基准",
            key=f"bench:{pk}",
        )
        for n, (pk, unit_id) in enumerate(case_ids)
    )
    log(
        f"built: {COMPANIES} companies, {CASES} cases, {len(case_ids)} accountability records "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    entry = next(
        e
        for e in yaml.safe_load(RULES.read_text(encoding="utf-8"))
        if str(e["jurisdiction"]) == "421281000000"
    )
    fields = (
        "name",
        "period",
        "base_score",
        "subject_kinds",
        "list_size",
        "streak",
        "reward_amount",
        "bar_days",
        "source",
    )
    policy = CreditPolicy.objects.create(jurisdiction=county, **{k: entry[k] for k in fields})
    CreditRule.objects.bulk_create(
        CreditRule(
            policy=policy,
            sort=n,
            **{k: r.get(k) for k in ("code", "label", "origin", "points", "cap", "expiry_days")},
            source=r["source"],
        )
        for n, r in enumerate(entry["rules"])
    )
    return policy


def run(log: Callable[[str], None]) -> dict[str, float]:
    figures: dict[str, float] = {}
    try:
        with transaction.atomic():
            policy = _build(log)
            t = time.perf_counter()
            result = credit_collect(policy=policy)
            figures["collect_s"] = time.perf_counter() - t
            records = CreditRecord.objects.filter(rule__policy=policy).count()
            log(f"credit_collect: {result.total} records in {figures['collect_s']:.2f} s")
            t = time.perf_counter()
            scored = 0
            for q in (1, 2, 3, 4):
                rows = selectors.ranking(policy, Period("quarter", 2026, q))
                scored += len(rows)
            figures["rank_s"] = time.perf_counter() - t
            log(
                f"every score of 2026Q1–Q4: {scored} company-quarters from {records} records "
                f"in {figures['rank_s']:.2f} s"
            )
            t = time.perf_counter()
            found = selectors.streaks(policy, Period("quarter", 2026, 4))
            figures["streak_s"] = time.perf_counter() - t
            log(
                f"three quarters running (2026Q2–Q4): {len(found['red'])} red, "
                f"{len(found['black'])} black in {figures['streak_s']:.2f} s"
            )
            figures["total_s"] = figures["collect_s"] + figures["rank_s"] + figures["streak_s"]
            log(f"total recompute: {figures['total_s']:.2f} s")
            raise _Rollback
    except _Rollback:
        pass
    return figures

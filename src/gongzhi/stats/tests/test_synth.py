"""Synthetic history written in several batches (``stats/synth.py`` over
``stats/bulk.py``): ledger numbers continue each county's counter without gap or
duplicate across batches, events are chained, the day mix weighs weekdays."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent, LedgerCounter
from gongzhi.stats.synth import _days, synth

pytestmark = pytest.mark.django_db


def test_batches_continue_the_counters_without_gaps(demo: Any) -> None:
    before = {(c.jurisdiction_id, c.year): c.last for c in LedgerCounter.objects.all()}
    old = set(Case.objects.values_list("pk", flat=True))
    events = synth(130, seed=4, batch=40)  # four batches
    new = Case.objects.exclude(pk__in=old)
    assert new.count() == 130
    assert CaseEvent.objects.filter(case__in=new).count() == events
    taken: dict[tuple[int, int], list[int]] = defaultdict(list)
    for number, ledger, year in new.values_list("number", "jurisdiction_id", "year"):
        _prefix, y, seq = number.rsplit("-", 2)
        assert int(y) == year
        taken[(ledger, year)].append(int(seq))
    for key, seqs in taken.items():
        first = before.get(key, 0) + 1
        assert sorted(seqs) == list(range(first, first + len(seqs))), key
        assert LedgerCounter.objects.get(jurisdiction_id=key[0], year=key[1]).last == max(seqs)
    # Numbers follow the calendar within a county and year.
    for key in taken:
        rows = new.filter(jurisdiction_id=key[0], year=key[1]).order_by("created_at", "number")
        seqs = [int(n.rsplit("-", 1)[1]) for n in rows.values_list("number", flat=True)]
        assert seqs == sorted(seqs)
    assert not new.filter(created_at__gte=timezone.localtime().replace(hour=0, minute=0)).exists()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=io.StringIO())
    assert "案件事件链完整" in out.getvalue()


def test_days_weigh_weekdays_and_sum_to_n() -> None:
    now = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    days = list(_days(random.Random(1), 73_000, now))
    assert len(days) == 730 and sum(c for _d, c in days) == 73_000
    assert days[-1][0].date() == timezone.localtime(now).date() - dt.timedelta(days=1)
    by_weekday: Counter[int] = Counter()
    for midnight, count in days:
        by_weekday[midnight.weekday()] += count
    weekday = sum(by_weekday[d] for d in range(5)) / 5
    weekend = sum(by_weekday[d] for d in (5, 6)) / 2
    assert 0.5 < weekend / weekday < 0.7  # weights 1 and 0.6


def test_command_prints_its_rate_and_can_leave_the_rollup(demo: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("synth", "30", "--seed", "5", "--jobs", "2", "--no-rollup", stdout=out, stderr=err)
    text = out.getvalue()
    assert "写入案件 30 件" in text and "每秒" in text
    assert "统计表" not in text  # the rollup left to the worker
    assert "30/30" in err.getvalue()


def test_command_rebuilds_the_rollup_above_a_size(demo: Any, monkeypatch: Any) -> None:
    """Above REBUILD_ABOVE events the command counts the rollup set by set: the rows are
    those the passes keep (taken here as the reference: the same events read by a pass)."""
    from gongzhi.stats import rollup
    from gongzhi.stats.management.commands import synth as command

    monkeypatch.setattr(command, "REBUILD_ABOVE", 0)
    out, err = io.StringIO(), io.StringIO()
    call_command("synth", "40", "--seed", "6", stdout=out, stderr=err)
    assert "统计表处理事件" in out.getvalue() and "个月" in err.getvalue()
    rebuilt = rollup.snapshot()
    assert rebuilt
    rollup.RollupCursor.objects.update(last_id=0, gaps={})
    rollup.DailyFigures.objects.all().delete()
    rollup.MonthlyFigures.objects.all().delete()
    rollup.catch_up()
    assert rollup.snapshot() == rebuilt

"""The plan (stats/reading.py) answers every chart as the definition does (the daily
rows by the scope's one OR), for every kind of reader, period and narrowing; and a
chart's answer is cached until the rollup changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases.models import Case
from gongzhi.org.models import Estate, Jurisdiction, User
from gongzhi.stats import bench, reading, rollup, selectors
from gongzhi.stats.selectors import Board
from gongzhi.stats.synth import synth

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
# Whole months with days on both sides; whole months only; days inside one month; a
# span over a year's turn.
PERIODS = [
    {"start": "2025-11-15", "end": "2026-10-20"},
    {"start": "2026-03-01", "end": "2026-05-31"},
    {"start": "2026-06-10", "end": "2026-06-20"},
    {"start": "2025-12-31", "end": "2026-02-01"},
]
READERS = ("admin", "office", "jiedao", "wuye", "yeweihui", "juweihui", "zfj", "cb-office")
CHARTS = [(name, chart) for name, chart in bench.CHARTS if name != "map"]  # map: cases


@pytest.fixture
def history(demo: Any) -> Any:
    """Two years of synthetic cases on the demo county, read into the rollup."""
    synth(150, seed=5, now=NOW)
    rollup.catch_up()
    return demo


def board(user: User, params: dict[str, str], **fixed: Any) -> Board:
    found, errors = Board.from_params(user, params, cache=False, **fixed)
    assert not errors
    return found


def assert_plan_equals_definition(found: Board) -> None:
    defined = replace(found, definition=True)
    by_day = replace(found, by_month=False)
    for name, chart in CHARTS:
        answer = chart(defined)
        assert chart(found) == answer, name
        assert chart(by_day) == answer, name


def test_every_reader_and_period_reads_what_the_definition_reads(history: Any) -> None:
    nonzero = 0
    for username in READERS:
        user = User.objects.get(username=username)
        for params in PERIODS:
            found = board(user, params)
            assert_plan_equals_definition(found)
            nonzero += bool(selectors.summary(found)["received"])
    assert nonzero >= 20  # the readers and periods mostly have figures to compare


def test_narrowed_boards_read_what_the_definition_reads(history: Any) -> None:
    office = User.objects.get(username="office")
    street = Jurisdiction.objects.get(code="370829001000")
    unit = history.units["pc:鸿泰"]
    matter = Case.objects.filter(matter__isnull=False).values_list("matter__code", flat=True)[0]
    params = PERIODS[0]
    for found in (
        board(office, params, street=street),
        board(office, params, unit=unit),
        board(office, {**params, "matter": matter}),
        board(office, {**params, "estate": "JX-E001"}),
        board(User.objects.get(username="wuye"), params, unit=unit),
        board(User.objects.get(username="jiedao"), {**params, "matter": matter}, street=street),
    ):
        assert_plan_equals_definition(found)


def test_the_plan_reads_months_where_it_can(history: Any) -> None:
    def kinds(username: str, group: str | None, **params: str) -> list[bool]:
        user = User.objects.get(username=username)
        parts = reading.plan(board(user, {**PERIODS[0], **params}), group)
        return sorted(p.monthly for p in parts)

    # The office's county: its whole months from the monthly rows, the days around them
    # from the daily rows; by week or by estate, only daily rows.
    assert kinds("office", None) == [False, False, True]
    assert kinds("office", "week") == [False]
    assert kinds("office", "estate_id") == [False]
    assert kinds("office", "unit_id", estate="JX-E001") == [False]
    # A property company: its estates by day, so its unit too, in one part; a bureau
    # (its unit only) by month.
    assert kinds("wuye", "matter") == [False]
    assert kinds("zfj", "matter") == [False, False, True]
    # A residents' committee reads a community, not a place of the monthly rows: its
    # area and its own unit by day.
    assert kinds("juweihui", None) == [False, False]
    # Within one month: days only.
    assert kinds("office", None, start="2026-06-10", end="2026-06-20") == [False]
    assert reading.split_period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 1),
    )
    assert reading.split_period(dt.date(2026, 1, 2), dt.date(2026, 2, 27)) is None


def test_a_residents_committee_reads_only_its_community(history: Any) -> None:
    user = User.objects.get(username="juweihui")
    found = board(user, PERIODS[0])
    community = history.units["rc:建设路社区"].jurisdiction
    estates = {p["key"] for p in selectors.breakdown(found, "estate")}
    assert estates
    assert estates <= set(
        Estate.objects.filter(community__path__startswith=community.path).values_list(
            "code", flat=True
        )
    )


def test_a_chart_is_cached_until_the_rollup_changes(history: Any) -> None:
    office = User.objects.get(username="office")
    params = {"start": "2026-01-01", "end": "2027-12-31"}
    cached, _errors = Board.from_params(office, params)
    first = selectors.breakdown(cached, "unit")
    with CaptureQueriesContext(connection) as queries:
        assert selectors.breakdown(cached, "unit") == first
    assert len(queries) == 1  # the rollup's stamp only
    # A new case: the rollup has not read it, so the answer stays; after the pass, the
    # cached answer is retired and the new one counts it.
    unit = history.units["pc:鸿泰"]
    before = next(p for p in first if p["key"] == unit.code)["received"]
    from gongzhi.stats.tests.test_dashboards import register

    register(dt.datetime(2027, 5, 11, 10, 0, tzinfo=dt.UTC))
    assert selectors.breakdown(cached, "unit") == first
    rollup.catch_up()
    after = selectors.breakdown(cached, "unit")
    assert next(p for p in after if p["key"] == unit.code)["received"] == before + 1
    fresh = replace(cached, cache=False, definition=True)
    assert after == selectors.breakdown(fresh, "unit")


def test_readers_of_the_same_rows_share_an_answer_others_do_not(history: Any) -> None:
    office, auditor, jiedao = (
        User.objects.get(username=n) for n in ("office", "auditor", "jiedao")
    )
    key = Board.from_params(office, PERIODS[0])[0].cache_key("summary")
    assert Board.from_params(auditor, PERIODS[0])[0].cache_key("summary") == key
    assert Board.from_params(jiedao, PERIODS[0])[0].cache_key("summary") != key
    street = Jurisdiction.objects.get(code="370829001000")
    narrowed = Board.from_params(office, PERIODS[0], street=street)[0]
    assert narrowed.cache_key("summary") != key
    assert Board.from_params(office, PERIODS[1])[0].cache_key("summary") != key

"""The fast paths of a large import (``stats/bulk.py``, ``stats/imports/ahead.py``)
against the plain ones they stand for: an event's digest written out equals
``common.chain.digest`` over ``event_fields``; ids reserved as a range or as a list;
texts with COPY's special characters stored as written and the chain verified; rows
checked ahead in a thread give the same rows and errors, in order, as ``parse_row``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gongzhi.cases.models import Case, CaseEvent, Source
from gongzhi.org.models import Jurisdiction
from gongzhi.stats import bulk
from gongzhi.stats.imports import ahead, run
from gongzhi.stats.imports.reader import open_sheet
from gongzhi.stats.imports.rows import Lookup, parse_row

COUNTY = "370829000000"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("extra", "unit", "action", "to", "at"),
    [
        ({"channel": "12345", "matter": "JX-06-04", "imported": "JX-2023-0001"}, None, "register", "registered", dt.datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)),
        ({"imported": True}, 7, "dispatch", "dispatched", dt.datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI)),
        ({"on_time": False, "rating": "satisfied"}, 12345678901, "accept", "accepted", dt.datetime(2023, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)),
        ({}, 3, "handle", "handled", dt.datetime(2024, 1, 1, tzinfo=SHANGHAI)),
        ({"imported": '旧"台账\\编号\t1\n2\u2028é\x01', "z": [1, 2.5, None], "a": {"b": "c"}}, 1, "rate", "closed", dt.datetime(2024, 7, 1, 0, 0, 1, 5, tzinfo=SHANGHAI)),
        ({"when": dt.date(2024, 1, 2)}, None, "close", "", dt.datetime(2024, 2, 29, 12, 0, tzinfo=SHANGHAI)),
    ],
)  # fmt: skip
def test_event_digest_is_the_chain_digest(
    extra: dict[str, Any], unit: int | None, action: str, to: str, at: dt.datetime
) -> None:
    for prev, from_state in (("", ""), ("ab" * 32, "dispatched")):
        row = bulk.EventRow(42, action, unit, from_state, to, extra, at, prev)  # reference
        fast = bulk.event_digest(
            prev, 42, action, unit, from_state, to, bulk._json(extra), bulk._utc(at)
        )
        assert fast == row.hash


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences: PostgreSQL")
def test_reserved_ids_are_the_sequence_values_range_or_not() -> None:
    ids = bulk.reserve_ids(Case, 5)
    assert isinstance(ids, range) and len(ids) == 5
    with connection.cursor() as cursor:  # as if other sessions took every other id
        cursor.execute("ALTER SEQUENCE cases_case_id_seq INCREMENT BY 3")
    spread = bulk.reserve_ids(Case, 5)
    assert list(spread) == list(range(spread[0], spread[0] + 15, 3))
    assert spread[0] > ids[-1]
    assert list(bulk.reserve_ids(Case, 0)) == []


@pytest.mark.django_db
def test_texts_with_copy_escapes_are_stored_as_written_and_the_chain_holds(demo: Any) -> None:
    unit = demo.units["housing_bureau"].name
    odd = 'a\\b\tc "引号" \\N\r\nend'
    text = '"' + odd.replace('"', '""') + '"'
    head = "受理时间,原台账编号,小区名称,问题描述,具体位置,承办单位,办结时间,满意度\n"
    data = f"{head}2024-03-01 09:00,旧\\1\t,曾子花园,{text},{text},{unit},2024-03-02 10:00,满意\n"
    job = run.import_start(
        owner=None,
        jurisdiction=COUNTY,
        filename="odd.csv",
        content=io.BytesIO(data.encode()),
        enqueue=False,
    )
    from gongzhi.stats import services

    done = services.job_run(job_id=job.pk)
    assert done is not None and done.state == "done", done.result if done else None
    case = Case.objects.get(source=Source.IMPORT, original_number="旧\\1")
    assert (case.description, case.location, case.title) == (
        odd.strip(),
        odd.strip(),
        odd.strip()[:60],
    )
    assert case.accept_due_at is None and case.version == 1 and case.route_reasons == []
    event = CaseEvent.objects.filter(case=case).order_by("id").first()
    assert event is not None and event.extra["imported"] == "旧\\1"
    assert event.created_at == dt.datetime(2024, 3, 1, 1, 0, tzinfo=dt.UTC)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=io.StringIO())
    assert "案件事件链完整" in out.getvalue()


def _ledger(rows: int, unit: str) -> bytes:
    """A ledger with good rows, rows with errors, empty and short rows."""
    head = "受理时间,原台账编号,小区名称,问题描述,承办单位,办结时间,满意度,状态\n"
    lines = []
    for i in range(rows):
        kind = i % 7
        if kind == 0:
            lines.append(f"2024-03-01 09:00,N{i},曾子花园,漏水,{unit},2024-03-02,满意,")
        elif kind == 1:
            lines.append(f"2024-13-01,N{i},没有的小区,,没有的单位,2024-03-02,很好,已结案")
        elif kind == 2:
            lines.append(",,,,,,,")
        elif kind == 3:
            lines.append(f"2024-03-01 09:00,N{i}")
        elif kind == 4:
            lines.append(f"2024/03/05,N{i},曾子花园,{'长' * 70},{unit},,,办理中")
        elif kind == 5:
            lines.append(f"2024-03-05 08:00,N{i},曾子花园,灯,{unit},2024-03-04,,待评价")
        else:
            lines.append(f"2099-01-01 00:00,N{i},曾子花园,灯,{unit},,满意,")
    return (head + "\n".join(lines) + "\n").encode()  # i18n: data (ledger cells)


@pytest.mark.django_db
def test_rows_checked_ahead_are_the_rows_checked_in_turn(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "CHUNK", 3)  # many hand-overs, a full queue
    monkeypatch.setattr(ahead, "DEPTH", 2)
    lookup = Lookup.load(Jurisdiction.objects.get(code=COUNTY))
    now = timezone.now()
    data = _ledger(200, demo.units["housing_bureau"].name)
    serial = open_sheet(io.BytesIO(data), "l.csv")
    expected = [(n, *parse_row(n, cells, serial, lookup, now)) for n, cells in serial.rows]
    sheet = open_sheet(io.BytesIO(data), "l.csv")
    checked = ahead.CheckedRows(sheet.rows, sheet, lookup, now)
    got = list(checked)
    checked.close()
    assert [(n, p, [e.as_dict() for e in es]) for n, p, es in got] == [
        (n, p, [e.as_dict() for e in es]) for n, p, es in expected
    ]
    assert sum(1 for _n, p, _e in got if p is not None) == 29 + 28  # kinds 0 and 4
    assert any(
        e.as_dict()["text"].startswith("第 3 行 第 A 列（受理时间）")
        for _n, _p, es in got
        for e in es
    )


@pytest.mark.django_db
def test_reading_ahead_hands_over_errors_and_stops_when_closed(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "CHUNK", 2)
    monkeypatch.setattr(ahead, "DEPTH", 1)
    lookup = Lookup.load(Jurisdiction.objects.get(code=COUNTY))
    sheet = open_sheet(io.BytesIO(_ledger(50, "")), "l.csv")

    def broken() -> Any:
        yield from list(sheet.rows)[:5]
        raise ValueError("file cut")

    checked = ahead.CheckedRows(broken(), sheet, lookup, timezone.now())
    with pytest.raises(ValueError, match="file cut"):
        list(checked)
    checked.close()
    endless = ((n, ("2024-03-01 09:00", f"E{n}")) for n in range(2, 10**9))
    checked = ahead.CheckedRows(endless, sheet, lookup, timezone.now())
    first = next(iter(checked))
    checked.close()  # a cancel: the thread ends though rows remain
    assert first[0] == 2 and not checked.thread.is_alive()

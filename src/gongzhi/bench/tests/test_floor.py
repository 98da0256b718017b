"""The intake floor (gongzhi.bench.floor; issue 12): the bare WSGI application answers the
bench's own requests as the figures assume — a 201 is a stored row, a replay stores
nothing, a bad request stores nothing — and the verdict line reads the figures right.
Not a timed test."""

from __future__ import annotations

import io
import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from gongzhi.bench import floor, load
from gongzhi.bench.server import pg_drop, pg_recreate


def _environ(part: tuple[bytes, bytes], key: bytes) -> dict[str, Any]:
    """The WSGI environ granian would build from the load generator's request bytes."""
    head, tail = part
    header, _, body = (head + key + tail).partition(b"\r\n\r\n")
    request, *lines = header.decode().split("\r\n")
    method, path, _ = request.split(" ")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "wsgi.input": io.BytesIO(body),
    }
    for line in lines:
        name, _, value = line.partition(": ")
        name = name.upper().replace("-", "_")
        if name in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            environ[name] = value
        else:
            environ[f"HTTP_{name}"] = value
    return environ


@pytest.fixture
def floor_db() -> Iterator[str]:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the floor writes to PostgreSQL only")
    name = f"floor_test_{secrets.token_hex(4)}"
    url = pg_recreate(name)
    floor.create_table(url)
    yield url
    pg_drop(name)


def _rows(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            f"SELECT idempotency_key, estate, matter_code, title, reporter_phone "
            f"FROM {floor.FLOOR_TABLE} ORDER BY id"
        ).fetchall()


def test_the_floor_stores_each_request_once_and_nothing_on_a_bad_one(floor_db: str) -> None:
    app = floor.FloorApp(floor_db, "tok")
    parts = load.request_parts(
        host="127.0.0.1", port=1, path="/api/cases/", token="tok", bodies=load.case_bodies()
    )
    statuses: list[str] = []

    def call(environ: dict[str, Any]) -> dict[str, Any]:
        body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
        return json.loads(body)

    first = call(_environ(parts[0], b"k-1"))
    assert statuses[-1] == "201 Created"
    assert call(_environ(parts[0], b"k-1")) == first  # a replay: the same row
    assert statuses[-1] == "200 OK"
    call(_environ(parts[1], b"k-2"))
    assert statuses[-1] == "201 Created"
    assert _rows(floor_db) == [
        ("k-1", "JX-E001", "JX-15-a", "压测诉求 JX-E001 JX-15-a", "13800000000"),
        ("k-2", "JX-E001", load.MATTERS[1], f"压测诉求 JX-E001 {load.MATTERS[1]}", "13800000001"),
    ]

    wrong = load.request_parts(
        host="127.0.0.1", port=1, path="/api/cases/", token="nope", bodies=load.case_bodies()
    )
    call(_environ(wrong[0], b"k-3"))
    assert statuses[-1] == "401 Unauthorized"
    bad = _environ(parts[0], b"k-4")
    bad["wsgi.input"] = io.BytesIO(b"{not json")
    bad["CONTENT_LENGTH"] = "9"
    call(bad)
    assert statuses[-1] == "400 Bad Request"
    untitled = _environ(parts[0], b"k-5")
    body = json.dumps({"estate": "JX-E001"}).encode()
    untitled.update({"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
    assert call(untitled) == {"missing": ["title"]}
    assert statuses[-1] == "422 Unprocessable Entity"
    call({**_environ(parts[0], b"k-6"), "REQUEST_METHOD": "GET"})
    assert statuses[-1] == "405 Method Not Allowed"
    assert len(_rows(floor_db)) == 2


def test_floor_line_compares_the_target_with_the_floor() -> None:
    above = floor.floor_line(1000.0, 100.0, 12)
    assert "12× the peer is 1200/s" in above and "above what a bare Python INSERT" in above
    below = floor.floor_line(3000.0, 100.0, 12)
    assert "30.00× the peer" in below and "below the floor" in below
    assert floor.floor_line(0.0, 100.0, 12) == "floor: no rate to compare"


def test_the_floor_row_counts_what_it_created() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the floor writes to PostgreSQL only")
    row = floor.bench_floor(
        connections=2, duration=1.0, max_requests=0, warmup=0.0, workers=1, threads=1
    )
    assert row.database == "floor" and row.check == "count ok"
    assert row.result.created_total > 0 and row.result.errors == 0
    assert row.cases_after - row.cases_before == row.result.created_total
    assert row.server_cpu_s > 0 and row.window_s >= 1.0


def test_floor_without_the_peer_is_refused() -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--peer helpdesk"):
        call_command("bench", "intake", "--floor")

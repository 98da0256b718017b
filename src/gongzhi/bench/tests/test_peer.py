"""The side-by-side benchmark's own machinery (issue 12; not a timed test, no network):
the peer's requests as the load generator sends them, the figures' lines, and the peer's
pinned versions and venv location."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from gongzhi.bench import load, peer
from gongzhi.bench.intake import Row
from gongzhi.bench.tests.test_load import _in_own_thread, _TinyServer


def _split(part: tuple[bytes, bytes], key: bytes = b"k-1") -> tuple[list[str], bytes]:
    head, tail = part
    raw = head + key + tail
    header, _, body = raw.partition(b"\r\n\r\n")
    return header.decode().split("\r\n"), body


def test_peer_requests_carry_its_path_token_and_ticket_fields() -> None:
    spec = peer.load_spec(
        port=8123,
        token="abc123",
        queue=7,
        connections=16,
        duration=20,
        max_requests=0,
        warmup=3,
        key_prefix="p",
    )
    assert json.loads(json.dumps(spec)) == spec  # it reaches the client process as JSON
    parts = load.request_parts(
        host=spec["host"],
        port=spec["port"],
        path=spec["path"],
        token=spec["token"],
        bodies=[b.encode() for b in spec["bodies"]],
        authorization=spec["authorization"],
    )
    assert len(parts) == len(load.ESTATES) * len(load.MATTERS)
    lines, body = _split(parts[0])
    assert lines[0] == "POST /api/tickets/ HTTP/1.1"
    assert "Authorization: Token abc123" in lines
    assert "Content-Type: application/json" in lines
    assert f"Content-Length: {len(body)}" in lines  # bytes, not characters (Chinese text)
    ticket = json.loads(body)
    assert ticket == {
        "queue": 7,
        "title": "压测诉求 JX-E001 JX-15-a",
        "description": "楼道堆放杂物，影响通行，请尽快处理。（压测数据）",
        "submitter_email": "resident0000@example.com",
        "priority": 3,
    }
    titles = {json.loads(_split(p)[1])["title"] for p in parts}
    assert len(titles) == len(parts)


def test_gongzhi_requests_keep_their_bearer_token() -> None:
    parts = load.request_parts(
        host="127.0.0.1", port=1, path="/api/cases/", token="gz_t", bodies=load.case_bodies()
    )
    lines, body = _split(parts[0])
    assert lines[0] == "POST /api/cases/ HTTP/1.1"
    assert "Authorization: Bearer gz_t" in lines
    assert json.loads(body)["estate"] == "JX-E001"


def test_the_same_client_sends_the_peer_spec() -> None:
    spec = peer.load_spec(
        port=0,
        token="abc",
        queue=3,
        connections=2,
        duration=0,
        max_requests=12,
        warmup=0,
        key_prefix="t",
    )
    with _TinyServer() as server:
        r = _in_own_thread(lambda: load.run_load(**{**spec, "port": server.port}))
    assert (r.requests, r.ok, r.created_total) == (12, 12, 12)
    assert {b["queue"] for b in server.bodies} == {3}
    assert len(set(server.keys)) == 12


def _row(name: str, created: int, before: int, after: int) -> Row:
    result = load.summarize(
        connections=16,
        latencies=[0.1, 0.2],
        statuses={201: created},
        failures=0,
        elapsed=10.0,
        created_total=created,
    )
    return Row(
        database=name,
        result=result,
        cases_before=before,
        cases_after=after,
        server_cpu_s=1.0,
        server_runqueue_s=0.0,
        machine_busy_s=2.0,
        window_s=10.0,
        cases_in_window=created,
        workers=2,
        threads=1,
    )


def test_side_lines_and_count_check() -> None:
    ok = peer.side_line(_row("django-helpdesk", 313, 0, 313), unit="tickets/s", noun="tickets")
    assert ok.startswith("django-helpdesk     16")
    assert " 31.3 tickets/s " in ok
    assert ok.endswith("count ok (313 tickets = 313 × 201)")
    off = peer.side_line(_row("gongzhi", 10, 5, 16), unit="cases/s", noun="cases")
    assert "COUNT MISMATCH (11 cases = 10 × 201)" in off
    assert peer.SIDE_HEADER.split()[:2] == ["system", "conns"]


def test_ratio_line() -> None:
    assert peer.ratio_line(150.0, 12.5) == (
        "ratio: Gongzhi 150.0 cases/s ÷ django-helpdesk 12.5 tickets/s = 12.00× (target ≥ 12×: met)"
    )
    assert peer.ratio_line(20.6, 31.3).endswith("= 0.66× (target ≥ 12×: not met)")
    assert "no ratio" in peer.ratio_line(20.0, 0.0)


def test_requirements_pin_helpdesk_and_gongzhis_own_stack() -> None:
    """The peer runs on the Django, psycopg and granian of Gongzhi's uv.lock."""
    pins = dict(
        line.split("==", 1)
        for line in (peer.peer_dir() / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert pins["django-helpdesk"] == "2.6.1"
    lock = tomllib.loads((peer.peer_dir().parents[1] / "uv.lock").read_text())
    locked = {p["name"]: p["version"] for p in lock["package"]}
    for name in ("django", "granian", "psycopg-binary", "djangorestframework"):
        if name in locked:
            assert pins[name] == locked[name], name
    assert pins["psycopg[binary]"] == locked["psycopg"]


def test_a_ready_venv_is_reused_without_uv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGZHI_VAR", str(tmp_path))
    monkeypatch.setenv("UV", str(tmp_path / "no-such-uv"))  # would fail if it were called
    venv = peer.venv_dir(peer.peer_dir() / "requirements.txt")
    assert venv.parent == tmp_path / "bench-peer"
    venv.mkdir(parents=True)
    (venv / ".installed").touch()
    assert peer.ensure_venv(lambda msg: None) == venv

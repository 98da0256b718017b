"""The load generator of the benchmarks: an asyncio HTTP/1.1 keep-alive client that
registers cases over loopback (in its own process, ``python -m gongzhi.bench client SPEC``,
so that it shares a GIL with nothing), and the figures it reports (cases/s, p50/p99,
errors). Nothing Django is imported here: the client process stays lean."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import resource
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ESTATES = ("JX-E001", "JX-E002", "JX-E003", "JX-E004", "JX-E005")
MATTERS = ("JX-15-a", "JX-15-b", "JX-04-a", "JX-03-01", "JX-06-04")
REQUEST_TIMEOUT = 30.0

# --- figures ---------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100) of an already sorted sequence; 0 if empty."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return float(sorted_values[min(rank, len(sorted_values)) - 1])


@dataclass
class LoadResult:
    """What the load generator measured in the timed window (warm-up excluded, except in
    ``created_total``, which counts every 201 so the count check can use it)."""

    connections: int
    requests: int  # completed in the timed window
    ok: int  # 201 in the timed window
    errors: int  # non-201 responses and failed connections in the timed window
    elapsed: float  # seconds of the timed window
    p50_ms: float
    p99_ms: float
    max_ms: float
    created_total: int  # 201 responses, warm-up included
    statuses: dict[str, int] = field(default_factory=dict)
    client_cpu_s: float = 0.0  # CPU seconds the generator process used in the window
    generator: str = "python-asyncio"
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def client_cpu_pct(self) -> float:
        return 100 * self.client_cpu_s / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class _Tally:
    """What the load workers count between them."""

    issued: int = 0
    failures: int = 0
    created: int = 0
    first_error: str = ""


def summarize(
    *,
    connections: int,
    latencies: Sequence[float],
    statuses: dict[int, int],
    failures: int,
    elapsed: float,
    created_total: int,
    client_cpu_s: float = 0.0,
    first_error: str = "",
) -> LoadResult:
    """Latencies in seconds, statuses counted by code, failures = requests that got no
    response (connection errors, timeouts)."""
    lat = sorted(latencies)
    ok = statuses.get(201, 0)
    done = sum(statuses.values())
    return LoadResult(
        connections=connections,
        requests=done + failures,
        ok=ok,
        errors=done - ok + failures,
        elapsed=elapsed,
        p50_ms=percentile(lat, 50) * 1000,
        p99_ms=percentile(lat, 99) * 1000,
        max_ms=(lat[-1] * 1000) if lat else 0.0,
        created_total=created_total,
        statuses={str(k): v for k, v in sorted(statuses.items())},
        client_cpu_s=client_cpu_s,
        first_error=first_error,
    )


def count_check(cases_in_db: int, created: int) -> str:
    return "count ok" if cases_in_db == created else "COUNT MISMATCH"


# --- the load generator ----------------------------------------------------------------


def case_bodies() -> list[bytes]:
    """One JSON body per estate × matter; the idempotency key goes in a header."""
    bodies = []
    for i, estate in enumerate(ESTATES):
        for j, matter in enumerate(MATTERS):
            body = {
                "channel": "12345",
                "estate": estate,
                "title": f"压测诉求 {estate} {matter}",
                "description": "楼道堆放杂物，影响通行，请尽快处理。（压测数据）",
                "matter_code": matter,
                "reporter_name": "压测居民",
                "reporter_phone": f"1380000{i:02d}{j:02d}",
            }
            bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


def request_parts(
    *,
    host: str,
    port: int,
    path: str,
    token: str,
    bodies: Sequence[bytes],
    authorization: str = "",
) -> list[tuple[bytes, bytes]]:
    """Pre-encoded requests: (head up to the idempotency key value, rest), the key in
    between is the only thing built per request. ``authorization`` is the header's whole
    value when it is not Gongzhi's ``Bearer <token>`` (the peer's DRF ``Token <key>``)."""
    authorization = authorization or f"Bearer {token}"
    parts = []
    for body in bodies:
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\n"
            f"Authorization: {authorization}\r\n"
            "Content-Type: application/json\r\n"
            "Accept: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Idempotency-Key: "
        ).encode()
        parts.append((head, b"\r\n\r\n" + body))
    return parts


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = -1
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        lname = name.strip().lower()
        if lname == b"content-length":
            length = int(value)
        elif lname == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length > 0:
        await reader.readexactly(length)
    return status


async def _load(
    *,
    host: str,
    port: int,
    parts: Sequence[tuple[bytes, bytes]],
    connections: int,
    duration: float,
    max_requests: int,
    warmup: float,
    key_prefix: str,
) -> LoadResult:
    loop = asyncio.get_running_loop()
    perf = time.perf_counter
    start = perf()
    measure_from = start + warmup
    stop_at = measure_from + duration if duration > 0 else math.inf
    # A hard stop whatever happens: never run longer than this.
    hard_stop = measure_from + (duration if duration > 0 else 600.0) + REQUEST_TIMEOUT
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    state = _Tally()
    cpu_mark: list[float] = []

    def cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    async def worker(n: int) -> None:
        seq = 0
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        try:
            while True:
                now = perf()
                if now >= stop_at or now >= hard_stop:
                    return
                measuring = now >= measure_from
                if measuring:
                    if max_requests and state.issued >= max_requests:
                        return
                    state.issued += 1
                if reader is None or writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                    writer.get_extra_info("socket").setsockopt(
                        socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
                    )
                head, tail = parts[(n + seq * connections) % len(parts)]
                key = f"{key_prefix}-{n}-{seq}".encode()
                seq += 1
                t0 = perf()
                try:
                    writer.write(head + key + tail)
                    status = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT)
                except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                    if measuring:
                        state.failures += 1
                    if not state.first_error:
                        state.first_error = f"{type(exc).__name__}: {exc}"
                    with contextlib.suppress(Exception):
                        writer.close()
                    reader = writer = None
                    await asyncio.sleep(0.01)
                    continue
                t1 = perf()
                if status == 201:
                    state.created += 1
                if measuring and t0 >= measure_from:
                    latencies.append(t1 - t0)
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()

    async def mark_cpu() -> None:
        await asyncio.sleep(max(0.0, measure_from - perf()))
        cpu_mark.append(cpu())

    marker = loop.create_task(mark_cpu())
    await asyncio.gather(*(worker(n) for n in range(connections)))
    end = perf()
    if not marker.done():
        marker.cancel()
    cpu_used = cpu() - (cpu_mark[0] if cpu_mark else 0.0)
    return summarize(
        connections=connections,
        latencies=latencies,
        statuses=statuses,
        failures=state.failures,
        elapsed=max(0.0, end - max(start, measure_from)),
        created_total=state.created,
        client_cpu_s=cpu_used,
        first_error=state.first_error,
    )


def run_load(
    *,
    host: str,
    port: int,
    token: str,
    connections: int = 16,
    duration: float = 20.0,
    max_requests: int = 0,
    warmup: float = 0.0,
    path: str = "/api/cases/",
    key_prefix: str | None = None,
    authorization: str = "",
    bodies: Sequence[str] = (),
) -> LoadResult:
    """Run the asyncio HTTP/1.1 keep-alive client in this process: ``connections``
    connections each sending one request after another, for ``duration`` seconds (0 =
    until ``max_requests`` are done) after ``warmup`` seconds not counted. ``path``,
    ``authorization`` and ``bodies`` (JSON texts) point the same client at another
    application (the peer of gongzhi.bench.peer); by default it registers cases."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only targets loopback")
    if duration <= 0 and max_requests <= 0:
        raise ValueError("bound the run with a duration or a number of requests")
    parts = request_parts(
        host=host,
        port=port,
        path=path,
        token=token,
        bodies=[b.encode() for b in bodies] if bodies else case_bodies(),
        authorization=authorization,
    )
    return asyncio.run(
        _load(
            host=host,
            port=port,
            parts=parts,
            connections=connections,
            duration=duration,
            max_requests=max_requests,
            warmup=warmup,
            key_prefix=key_prefix or f"bench-{secrets.token_hex(6)}",
        )
    )


def run_load_in_process(**spec: Any) -> LoadResult:
    """The same as ``run_load`` in a separate Python process (its own GIL)."""
    limit = (spec.get("duration") or 600) + (spec.get("warmup") or 0) + 2 * REQUEST_TIMEOUT
    out = subprocess.run(
        [sys.executable, "-m", "gongzhi.bench", "client", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=limit,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return LoadResult(**data)

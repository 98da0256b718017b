"""The intake benchmark's own machinery (not a timed test): percentiles, the summary and
count check, and the asyncio load generator against a tiny HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from gongzhi.bench import load as bench


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 99) == 99.0
    assert bench.percentile(values, 100) == 100.0
    assert bench.percentile([7.0], 99) == 7.0
    assert bench.percentile([], 50) == 0.0


def test_summary_counts_non_201_and_failures_as_errors() -> None:
    r = bench.summarize(
        connections=2,
        latencies=[0.002, 0.004, 0.010],
        statuses={201: 2, 400: 1},
        failures=1,
        elapsed=0.5,
        created_total=5,
    )
    assert (r.requests, r.ok, r.errors) == (4, 2, 2)
    assert r.rate == 4.0
    assert r.p50_ms == 4.0
    assert r.p99_ms == 10.0
    assert bench.count_check(5, r.created_total) == "count ok"
    assert bench.count_check(4, r.created_total) == "COUNT MISMATCH"


class _TinyServer:
    """Answers every POST on keep-alive connections: 201 (with Content-Length) for odd
    requests, 201 chunked for even ones, 409 when the idempotency key repeats."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.port = 0
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = dict(
                    line.split(": ", 1) for line in head.decode().split("\r\n")[1:] if line
                )
                body = await reader.readexactly(int(headers["Content-Length"]))
                self.bodies.append(json.loads(body))
                key = headers["Idempotency-Key"]
                status = b"409 Conflict" if key in self.keys else b"201 Created"
                self.keys.append(key)
                if len(self.keys) % 2:
                    writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\n\r\n{}")
                else:
                    writer.write(
                        b"HTTP/1.1 " + status + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"2\r\n{}\r\n0\r\n\r\n"
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self) -> _TinyServer:
        self.thread.start()
        self.ready.wait(5)
        return self

    def __exit__(self, *exc: Any) -> None:
        async def cancel_all() -> None:
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _in_own_thread(func: Any) -> Any:
    """Run ``func`` in a fresh thread: the load generator starts its own event loop, and
    the browser tests' Playwright may still hold one in the main thread."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_client_sends_unique_keys_and_counts_responses() -> None:
    with _TinyServer() as server:
        r = _in_own_thread(
            lambda: bench.run_load(
                host="127.0.0.1",
                port=server.port,
                token="gz_test",
                connections=2,
                duration=0,
                max_requests=40,
            )
        )
    assert r.requests == 40 == len(server.keys)
    assert len(set(server.keys)) == 40
    assert (r.ok, r.errors, r.created_total) == (40, 0, 40)
    assert r.statuses == {"201": 40}
    assert 0 < r.p50_ms <= r.p99_ms <= r.max_ms
    estates = {b["estate"] for b in server.bodies}
    matters = {b["matter_code"] for b in server.bodies}
    assert estates == set(bench.ESTATES)
    assert len(matters) == len(bench.MATTERS)


def test_client_refuses_other_hosts_and_unbounded_runs() -> None:
    with pytest.raises(ValueError):
        bench.run_load(host="10.0.0.1", port=80, token="x", duration=1)
    with pytest.raises(ValueError):
        bench.run_load(host="127.0.0.1", port=80, token="x", duration=0, max_requests=0)

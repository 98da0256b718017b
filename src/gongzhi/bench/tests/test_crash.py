"""The crash check's own machinery (the run itself is a command: docs/performance.md):
the generator sends an unanswered request again with the same key until it is answered,
and the check finds a missing acknowledged case, a duplicate and a gap in the ledger."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from gongzhi.bench import crash
from gongzhi.bench.load import case_bodies, request_parts


class _FlakyServer:
    """A registration endpoint that misbehaves like a server dying mid-request: the first
    attempt of every third key is registered but the connection drops before the answer
    (the commit happened, the 201 never left); the first attempt of every fifth key drops
    before anything is registered; every seventh key first gets a 503. Keys registered
    before answer 200 with the same number."""

    def __init__(self) -> None:
        self.cases: dict[str, str] = {}
        self.attempts: dict[str, int] = {}
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
                await reader.readexactly(int(headers["Content-Length"]))
                key = headers["Idempotency-Key"]
                n = int(key.rsplit("-", 1)[1])
                first = key not in self.attempts
                self.attempts[key] = self.attempts.get(key, 0) + 1
                if first and n % 7 == 6:
                    writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    continue
                if first and n % 5 == 4:
                    writer.close()
                    return
                status = b"200 OK" if key in self.cases else b"201 Created"
                number = self.cases.setdefault(key, f"370829-2026-{len(self.cases) + 1:06d}")
                if first and n % 3 == 2:
                    writer.close()
                    return
                body = json.dumps({"number": number}).encode()
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body
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

    def __enter__(self) -> _FlakyServer:
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


def _load(port: int) -> dict[str, crash.Record]:
    parts = request_parts(
        host="127.0.0.1", port=port, path="/api/cases/", token="gz_x", bodies=case_bodies()
    )
    box: dict[str, Any] = {}

    def target() -> None:  # its own thread and loop (Playwright may hold the main one)
        box["records"] = asyncio.run(
            crash._crash_load(
                host="127.0.0.1",
                port=port,
                parts=parts,
                connections=1,
                duration=30.0,
                drain=10.0,
                key_prefix="t",
                max_keys=22,
                pause=0.01,
            )
        )

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    return box["records"]


def test_unanswered_requests_are_sent_again_with_the_same_key() -> None:
    with _FlakyServer() as server:
        records = _load(server.port)
    assert len(records) == 22
    assert all(r.status in (200, 201) for r in records.values())
    for key, r in records.items():
        n = int(key.rsplit("-", 1)[1])
        assert r.number == server.cases[key]
        if n % 7 == 6:
            assert (r.refused, r.status) == (1, 201)
        elif n % 5 == 4:
            assert (r.uncertain, r.status) == (1, 201)  # nothing was registered: new
        elif n % 3 == 2:
            assert (r.uncertain, r.status) == (1, 200)  # registered before: a replay
        else:
            assert (r.attempts, r.status) == (1, 201)
    report = crash.check(
        {k: vars(r) for k, r in records.items()},
        [(number, key) for key, number in server.cases.items()],
        "t-",
    )
    assert report.ok and report.present == report.acknowledged == len(records)
    # 503 first: 6, 13, 20; dropped unregistered: 4, 9, 14, 19; registered then dropped
    # (answered 200 on the retry): 2, 5, 8, 11, 17.
    assert (report.refused, report.uncertain, report.replayed) == (3, 9, 5)
    assert "crash check: ok" in report.lines()[-1]


def _record(status: int, number: str, **kw: int) -> dict[str, Any]:
    return {"part": 0, "attempts": 1, "uncertain": 0, "refused": 0, "status": status,
            "number": number, **kw}  # fmt: skip


def test_the_check_finds_what_a_crash_could_lose() -> None:
    records = {
        "k-0": _record(201, "370829-2026-000001"),
        "k-1": _record(201, "370829-2026-000002"),  # acknowledged, not in the database
        "k-2": _record(200, "370829-2026-000004", uncertain=1),
        "k-3": _record(0, ""),  # never answered; it is in the database all the same
    }
    rows = [
        ("370829-2026-000001", "u5:k-0"),  # stored scoped by the caller
        ("370829-2026-000004", "k-2"),
        ("370829-2026-000005", "k-2"),  # a second case for one key
        ("370829-2026-000006", "k-3"),
        ("370829-2025-000001", None),  # another year: its own ledger
    ]
    report = crash.check(records, rows, "k-")
    assert not report.ok
    assert report.missing == ["k-1"]
    assert report.duplicates == ["k-2"]
    assert report.gaps == {"370829-2026-": [2, 3]}
    assert report.ledgers == {"370829-2026-": 6, "370829-2025-": 1}
    assert (report.unanswered, report.unanswered_present, report.replayed) == (["k-3"], 1, 1)
    text = "\n".join(report.lines())
    assert "MISSING 1: k-1" in text and "GAPS 370829-2026-: [2, 3]" in text
    assert text.endswith("crash check: FAILED")

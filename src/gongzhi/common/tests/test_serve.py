"""``gongzhi serve`` refuses a port that anything listens on — also one held with
SO_REUSEPORT, as granian holds it — and otherwise runs granian. Against a real granian:
a second start on the same port is refused, an oversized body gets 413 without being
sent in full, and with PostgreSQL unreachable pages and the API answer 503."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.common.tests.test_settings import ROOT, clean_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def listener(port: int, *, reuseport: bool) -> Iterator[socket.socket]:
    with socket.socket() as s:
        if reuseport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind(("127.0.0.1", port))
        s.listen()
        yield s


@pytest.mark.parametrize("reuseport", [True, False])
def test_a_busy_port_is_refused(reuseport: bool) -> None:
    port = free_port()
    with listener(port, reuseport=reuseport), pytest.raises(CommandError) as exc:
        call_command("serve", "--port", str(port), "--print-command")
    assert f"端口 {port} 已被占用" in str(exc.value)
    # The wildcard address overlaps it too.
    with listener(port, reuseport=reuseport), pytest.raises(CommandError):
        call_command("serve", "--host", "0.0.0.0", "--port", str(port), "--print-command")


def test_a_free_port_runs_granian_with_the_options() -> None:
    out = StringIO()
    port = free_port()
    call_command(
        "serve", "--port", str(port), "--workers", "3", "--threads", "2", "--max-rss", "600",
        "--print-command", "--", "--http1-header-read-timeout", "5000", stdout=out,
    )  # fmt: skip
    command = out.getvalue().splitlines()[-1].split()
    assert Path(command[0]).name == "granian"
    assert command[-1] == "gongzhi.config.wsgi:application"
    text = " ".join(command)
    for part in (
        f"--port {port}",
        "--workers 3",
        "--blocking-threads 2",
        "--workers-max-rss 600",
        "--http1-header-read-timeout 5000",
    ):
        assert part in text


def _request(port: int, raw: bytes, *, read_timeout: float = 15.0) -> tuple[int, dict, bytes]:
    """Send ``raw`` (with ``Connection: close``) and read the answer to the end."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(raw)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (ln.split(": ", 1) for ln in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        decoded = b""
        while True:
            size_line, _, rest = body.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            decoded += rest[:size]
            body = rest[size + 2 :]
        body = decoded
    return int(lines[0].split()[1]), headers, body


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    return _request(
        port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """granian through ``gongzhi serve``, production settings, PostgreSQL unreachable."""
    port = free_port()
    env = clean_env(
        DJANGO_SETTINGS_MODULE="gongzhi.config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/gongzhi_nowhere",
        GONGZHI_VAR=str(tmp_path / "var"),
        GONGZHI_MAX_REQUEST_BYTES=str(1024 * 1024),
    )
    cmd = [sys.executable, "-m", "gongzhi.cli", "serve", "--port", str(port), "--workers", "1"]
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if _get(port, "/static/css/gongzhi.css")[0]:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "granian did not answer"
            time.sleep(0.3)
        yield port, env
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def test_served_by_granian(served: tuple[int, dict[str, str]]) -> None:
    port, env = served
    # PostgreSQL is unreachable: 503 with Retry-After, on a page and on the API.
    status, headers, body = _get(port, "/estates/JX-E001/")
    assert status == 503 and headers["retry-after"] == "30"
    assert "系统暂时无法连接数据库" in body.decode()
    status, headers, body = _get(port, "/api/catalog/370829000000/matters")
    assert status == 503 and json.loads(body)["code"] == "unavailable"
    assert "default-src 'self'" in headers["content-security-policy"]

    # A 200 MB body is refused by its declared length before any of it is sent. (Sending
    # part of it first gets the same 413, but granian then closes a connection with unread
    # data, and the reset may cut the answer's body short on this side.)
    head = (
        "POST /cases/report/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    ).encode()
    status, _, body = _request(port, head)
    assert status == 413 and "请求内容过大（超过 1 MB）" in body.decode()

    # A second instance on the same port is refused, with a reason and a non-zero exit.
    again = subprocess.run(
        [sys.executable, "-m", "gongzhi.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1
    assert f"端口 {port} 已被占用" in again.stderr

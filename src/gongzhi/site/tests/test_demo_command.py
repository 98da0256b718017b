"""``gongzhi demo`` from a fresh state: creates its SQLite file under GONGZHI_VAR,
migrates, loads the demo and prints the accounts (served elsewhere; here --no-serve)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the demo's own SQLite file, whatever DATABASE_URL says: the SQLite pass runs it",
)
def test_demo_command_builds_a_fresh_database(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GONGZHI_VAR"] = str(tmp_path)
    cmd = [sys.executable, "-m", "gongzhi.cli", "demo", "--no-serve"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "gongzhi.sqlite3").exists()
    assert "正在载入嘉祥县演示数据" in first.stdout
    for username in ("office", "zjj", "wuye", "resident", "auditor"):
        assert f"\n{username} " in first.stdout
    assert "Gongzhi-2026" in first.stdout
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert "演示数据已存在" in again.stdout
    reset = subprocess.run([*cmd, "--reset"], env=env, capture_output=True, text=True, check=False)
    assert reset.returncode == 0, reset.stderr
    assert "正在载入嘉祥县演示数据" in reset.stdout


def test_demo_refuses_a_busy_port_before_doing_anything() -> None:
    import socket

    from django.core.management import call_command
    from django.core.management.base import CommandError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"端口 {port} 已被占用"):
            call_command("demo", "--port", str(port))

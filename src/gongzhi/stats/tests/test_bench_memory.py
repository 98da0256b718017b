"""``gongzhi stats bench --memory``: which pages each account is served, and reading a
child process's memory from /proc (the bench itself prints figures; it is not a test)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from gongzhi.stats import bench_memory


@pytest.mark.django_db
def test_each_account_is_served_the_dashboards_it_may_open(demo: Any, login: Any) -> None:
    office = bench_memory.pages_for("office")
    assert office[:3] == [f"/stats/?preset={p}" for p in bench_memory.PRESETS]
    assert "/stats/street/370829001000/?preset=year" in office
    company = bench_memory.pages_for("wuye")
    assert not [p for p in company if p.startswith("/stats/street/")]
    assert f"/stats/unit/{demo.units['pc:鸿泰'].code}/?preset=year" in company
    for name in bench_memory.ACCOUNTS:
        client = login(name)
        for path in bench_memory.pages_for(name):
            assert client.get(path).status_code == 200, (name, path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_child_process_memory_is_read_from_proc() -> None:
    import os

    # The child says when its interpreter is up: read before that, its memory is the
    # fork's first half megabyte.
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        assert child.pid in bench_memory.worker_pids(os.getpid())
        snap = bench_memory.snapshot("now", os.getpid())
        rss, peak = snap.workers[child.pid]
        assert 1 < rss <= peak
    finally:
        child.kill()
        child.wait()

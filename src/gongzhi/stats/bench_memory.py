"""``gongzhi stats bench --memory``: a web worker's memory after serving the dashboards
(issue 12's target: under 200 MB).

granian is started with the production settings (gongzhi.bench.server, its own process
group) on the configured database; each account logs in through the login form and asks
for every dashboard page it may see — its own scope over several periods, and the street
and unit pages it may open — and every chart's JSON endpoint named on the page (what the
browser's stats.js asks for), ``rounds`` times. The resident set size (VmRSS, and the
peak VmHWM) of granian's worker processes is read from /proc before the first request,
after each round, and at the end. A command printing figures, not a test."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from gongzhi.org.demo_context import DEMO_PASSWORD

# The demo's readers of dashboards: the county office, a leader's oversight (the
# auditor), a street office, a unit's head and a property company.
ACCOUNTS = ["office", "auditor", "jiedao", "zjj-head", "wuye"]
PRESETS = ["month", "quarter", "year"]
# At most this many street and unit pages per account (the office may open them all).
PAGES_PER_KIND = 3
TARGET_MB = 200.0
CHART_SRC = re.compile(r'data-src="([^"]+)"')


@dataclass
class Snapshot:
    label: str
    load: str
    # pid -> (VmRSS, VmHWM) in MB (10^6 bytes, as the target is stated)
    workers: dict[int, tuple[float, float]] = field(default_factory=dict)

    def line(self) -> str:
        parts = [
            f"{pid}: {rss:.1f} MB (peak {hwm:.1f})" for pid, (rss, hwm) in self.workers.items()
        ]
        return f"{self.label:<22} load {self.load:<16} " + "; ".join(parts)


def _status_mb(pid: int) -> tuple[float, float]:
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    with open(f"/proc/{pid}/status") as fh:
        for row in fh:
            key, _sep, rest = row.partition(":")
            if key in values:
                values[key] = int(rest.split()[0]) * 1024 / 1e6  # the file says kB: KiB
    return values["VmRSS"], values["VmHWM"]


def worker_pids(parent: int) -> list[int]:
    """granian's worker processes: the children of its main process."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                # pid (comm) state ppid …: comm may hold spaces, so split after it.
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent:
            pids.append(int(entry))
    return sorted(pids)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def snapshot(label: str, parent: int) -> Snapshot:
    snap = Snapshot(label=label, load=_load())
    for pid in worker_pids(parent):
        try:
            snap.workers[pid] = _status_mb(pid)
        except OSError:
            continue
    return snap


class Browser:
    """One account's session over plain HTTP (the production settings mark cookies
    Secure, so they are kept here by hand rather than by a cookie jar)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.requests = 0
        self.bytes = 0

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        self.requests += 1
        self.bytes += len(content)
        return response.status, content.decode("utf-8", "replace"), response.getheader("Location")

    def login(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        token = self.cookies.get("csrftoken", "")
        status, _text, _location = self.request(
            "POST",
            "/accounts/login/",
            {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        )
        if status != 302:
            raise RuntimeError(f"{username}: login answered {status}")

    def page(self, path: str) -> int:
        """The page and every chart it names; returns how many requests were made."""
        status, text, _location = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        made = 1
        for src in CHART_SRC.findall(text):
            chart_status, _body, _loc = self.request("GET", src.replace("&amp;", "&"))
            if chart_status != 200:
                raise RuntimeError(f"{src}: HTTP {chart_status}")
            made += 1
        return made


def pages_for(username: str) -> list[str]:
    """Every dashboard page ``username`` may open: the scope's over each period, up to
    PAGES_PER_KIND streets and units (the account's own first)."""
    from gongzhi.org.models import Jurisdiction, Unit, User
    from gongzhi.org.permissions import scope_for
    from gongzhi.stats import access

    user = User.objects.get(username=username)
    paths: list[str] = []
    if access.may_see_dashboard(user):
        paths += [f"/stats/?preset={p}" for p in PRESETS]
    streets = Jurisdiction.objects.filter(
        level__in=(Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN)
    ).order_by("code")
    readable = [s.code for s in streets if access.readable_street(user, s.code) is not None]
    paths += [f"/stats/street/{code}/?preset=year" for code in readable[:PAGES_PER_KIND]]
    own = list(Unit.objects.filter(pk__in=scope_for(user).unit_ids).order_by("code"))
    others = Unit.objects.exclude(pk__in=[u.pk for u in own]).order_by("code")
    units: list[str] = []
    for unit in [*own, *others]:
        if len(units) == PAGES_PER_KIND:
            break
        if access.readable_unit(user, unit.code) is not None:
            units.append(unit.code)
    paths += [f"/stats/unit/{code}/?preset=year" for code in units]
    return paths


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    return f"sqlite:///{settings.DATABASES['default']['NAME']}"


def run(*, workers: int, rounds: int, out: Callable[[str], Any]) -> bool:
    """Serve the dashboards ``rounds`` times and print the workers' memory; True when
    every worker stayed under TARGET_MB."""
    from gongzhi.bench.server import free_port, server_env, start_server

    plan = {name: pages_for(name) for name in ACCOUNTS}
    tmp = Path(tempfile.mkdtemp(prefix="gongzhi-dash-mem-"))
    server = None
    try:
        env = server_env(database_url=_database_url(), var_dir=tmp / "var")
        # The pages' {% static %} needs the manifest of the production storage.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.core.management import "
                "call_command; call_command('collectstatic', interactive=False, verbosity=0)",
            ],
            env=env,
            check=True,
            timeout=600,
        )
        server = start_server(
            env=env, workers=workers, threads=1, port=free_port(), log=tmp / "granian.log"
        )
        parent = server.process.pid
        pages = sum(len(p) for p in plan.values())
        out(
            f"granian: {workers} worker(s), 1 thread each, production settings; "
            f"{len(ACCOUNTS)} accounts, {pages} dashboard pages a round, {rounds} rounds"
        )
        for name, paths in plan.items():
            out(f"  {name}: {len(paths)} pages ({', '.join(p.split('?')[0] for p in paths)})")
        snaps = [snapshot("started", parent)]
        out(snaps[-1].line())
        browsers = {}
        for name in ACCOUNTS:
            browsers[name] = Browser(server.port)
            browsers[name].login(name)
        for i in range(rounds):
            started = time.perf_counter()
            made = 0
            for name, paths in plan.items():
                for path in paths:
                    made += browsers[name].page(path)
            seconds = time.perf_counter() - started
            snaps.append(snapshot(f"after round {i + 1}", parent))
            out(f"{snaps[-1].line()}  ({made} requests in {seconds:.1f} s)")
        final = snaps[-1]
        worst = max((rss for rss, _hwm in final.workers.values()), default=0.0)
        peak = max((hwm for s in snaps for _rss, hwm in s.workers.values()), default=0.0)
        ok = peak < TARGET_MB
        out(
            f"largest worker after the rounds: {worst:.1f} MB; highest peak: {peak:.1f} MB; "
            f"under {TARGET_MB:.0f} MB: {'yes' if ok else 'NO'}"
        )
        return ok
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

"""``gongzhi bench export [--rows N] [--user NAME]``: a ledger export job of N rows, run
as the worker runs it (``stats.services.job_run``, in this process), on the configured
database — e.g. after ``gongzhi synth``. Issue 12's target: 50,000 rows in under 30 s,
memory flat.

The rows are the newest N cases the account may read: the job's filter is the local day
from which the account's ledger holds at least N cases (so a little more, cut at
``MAX_EXPORT_ROWS`` with the sheet's note). Printed: the rows written, wall and CPU
seconds, rows per second, the process's resident memory before and at its peak (sampled
every 50 ms), the file's size and the machine's load. docs/performance.md, "Ledger
export as a job"."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable

from django.utils import timezone

from gongzhi.cases import selectors
from gongzhi.org.models import User
from gongzhi.stats import services
from gongzhi.stats.models import Job


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Peak(threading.Thread):
    """The highest resident memory of this process while it runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_mib()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, _rss_mib())


def run(*, rows: int, username: str, out: Callable[[str], object]) -> None:
    owner = User.objects.get(username=username)
    newest = selectors.ledger(owner, selectors.LedgerFilter.from_params({}))
    edge = newest.values_list("created_at", flat=True)[rows - 1 : rows]
    params = {"date_from": timezone.localtime(edge[0]).date().isoformat()} if edge else {}
    job = Job.objects.create(
        owner=owner, kind=Job.Kind.LEDGER, params=services.job_params(Job.Kind.LEDGER, params)
    )
    load_before = os.getloadavg()
    before = _rss_mib()
    peak = _Peak()
    peak.start()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    done = services.job_run(job_id=job.pk)
    seconds = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    peak.done.set()
    peak.join()
    load_after = os.getloadavg()
    if done is None or done.state != Job.JobState.DONE:
        out(f"export failed: {done.state if done else '?'} {done.error if done else ''}")
        return
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    size = done.file.size / 1024 / 1024
    out(
        f"ledger export as {username} ({params or 'everything'}): {done.total:,} rows in "
        f"{seconds:.1f} s wall, {cpu:.1f} s CPU = {done.total / seconds:,.0f} rows/s; "
        f"resident memory {before:.0f} MiB before, {peak.peak:.0f} MiB at the peak; "
        f"file {size:.1f} MiB; load average before {load_before[0]:.2f}, after "
        f"{load_after[0]:.2f} ({os.cpu_count()} cores); target 50,000 rows under 30 s: "
        f"{'met' if done.total >= 50_000 and seconds < 30 else 'not shown by this run'}"
    )
    if done.file.name:
        done.file.storage.delete(done.file.name)

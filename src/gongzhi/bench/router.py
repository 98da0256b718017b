"""``gongzhi bench router``: messages per second per core for classify + route, in one
process against the configured database (build it with ``gongzhi demo --no-serve``).

The messages are the shipped evaluation set (catalog/data/eval/jiaxiang.csv), cycled over
the demo county's estates. CPU time is the process's own (``time.process_time``), so the
figure is per core whatever else the machine runs. The explanation of each answer is
worked out only when read (docs/routing.md); ``explain`` reads it, as the dispatch desk and
``POST /api/catalog/classify`` do. Also printed: the time to train the
model, to load a trained model from the shared cache, its size pickled and the memory
it takes once loaded."""

from __future__ import annotations

import pickle
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EVAL_FILE = Path(__file__).resolve().parents[1] / "catalog" / "data" / "eval" / "jiaxiang.csv"


@dataclass
class RouterFigures:
    messages: int
    cpu_s: float
    wall_s: float
    train_s: float
    load_s: float
    model_bytes: int
    model_memory_mb: float
    rss_mb: float
    estates: int
    explain: bool = False

    def lines(self) -> list[str]:
        per_core = self.messages / self.cpu_s if self.cpu_s else 0.0
        return [
            f"classify + route{' + explanation' if self.explain else ''}: {self.messages} messages over {self.estates} estates in "
            f"{self.wall_s:.2f} s wall, {self.cpu_s:.2f} s CPU",
            f"  {per_core:,.0f} messages per second per core "
            f"({1e6 / per_core if per_core else 0:.0f} µs CPU per message)",
            f"model: trained in {self.train_s:.2f} s; loaded from the shared cache in "
            f"{self.load_s * 1000:.1f} ms; {self.model_bytes / 1e6:.1f} MB pickled; "
            f"{self.model_memory_mb:.1f} MB in memory once loaded; "
            f"process peak RSS {self.rss_mb:.0f} MB",
        ]


def run(
    *, duration: float = 5.0, explain: bool = False, log: Callable[[str], None] = print
) -> RouterFigures:
    from gongzhi.catalog import classify, learned
    from gongzhi.catalog.answer import classify_message
    from gongzhi.catalog.evaluation import read_rows
    from gongzhi.catalog.selectors import effective_catalog
    from gongzhi.org.models import Estate, Jurisdiction

    # i18n: data (the demo county's stored name)
    county = Jurisdiction.objects.filter(name="嘉祥县").first()
    if county is None:
        raise RuntimeError(
            "no demo county 嘉祥县: run `gongzhi demo --no-serve` first"  # i18n: data (its name)
        )
    estates = list(
        Estate.objects.filter(community__path__startswith=county.path).select_related(
            "community", "property_company", "owners_committee"
        )
    )
    rows = read_rows(EVAL_FILE)
    messages = [(r.title, r.text) for r in rows]
    log(f"{len(messages)} messages, {len(estates)} estates; training the model…")
    started = time.perf_counter()
    model = learned.train(effective_catalog(estates[0].community))
    train_s = time.perf_counter() - started
    blob = pickle.dumps(model)
    started = time.perf_counter()
    pickle.loads(blob)
    load_s = time.perf_counter() - started
    # What a loaded model adds to a web worker: the memory its unpickling allocates and
    # keeps (numpy reports its arrays to tracemalloc).
    tracemalloc.start()
    loaded = pickle.loads(blob)
    model_memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del loaded
    # Warm: every estate's model, and each message once at each estate (routes cached).
    for estate in estates:
        classify.model_for(estate.community)
        for title, text in messages:
            classify_message(estate=estate, title=title, body=text)
    done = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < duration:
        for i, (title, text) in enumerate(messages):
            answer = classify_message(estate=estates[i % len(estates)], title=title, body=text)
            if explain:
                answer.explanation  # noqa: B018 (worked out when read)
        done += len(messages)
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    return RouterFigures(
        messages=done,
        cpu_s=cpu,
        wall_s=wall,
        train_s=train_s,
        load_s=load_s,
        model_bytes=len(blob),
        model_memory_mb=model_memory / 2**20,
        rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        estates=len(estates),
        explain=explain,
    )

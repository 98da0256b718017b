"""Demo part of stats: read the demo's case events into the rollup, as the worker would."""

from __future__ import annotations

from gongzhi.org.demo_context import DemoContext
from gongzhi.stats.rollup import catch_up


def build(ctx: DemoContext) -> None:
    catch_up(now=ctx.now)

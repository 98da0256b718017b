"""Demo part for cases (see gongzhi/demo.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gongzhi.demo import DemoContext


def build(ctx: DemoContext) -> None:
    return None

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from gongzhi.conftest import DEMO_NOW


@pytest.fixture
def at_demo_now() -> Iterator[Any]:
    """The clock at the demo's "now" (2026-11-02 17:00 Beijing time), ticking."""
    with time_machine.travel(DEMO_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def other_county_case(demo: Any) -> Any:
    """A case of the demo's second county (赤壁市, 001's place)."""
    from gongzhi.cases.models import Case

    return Case.objects.filter(estate__code__startswith="CB-", state="registered").first()

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from gongzhi.conftest import DEMO_NOW


@pytest.fixture(autouse=True)
def at_demo_now() -> Iterator[Any]:
    """The clock at the demo's "now", ticking: periods and feedback days are reckoned from
    it as the demo was built."""
    with time_machine.travel(DEMO_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def campaign(demo: Any) -> Any:
    from gongzhi.campaigns.demo import TITLE
    from gongzhi.campaigns.models import Campaign

    return Campaign.objects.select_related("jurisdiction").get(title=TITLE)

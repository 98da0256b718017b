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
    """A case of another county (赤壁市, 001's place): a street, a community, an estate
    and one registered case. The demo will hold a whole second county; until then this
    is the least that makes one. The case is written directly: meetings tests may read
    cases only through the Case model."""
    from gongzhi.cases.models import Case
    from gongzhi.org.services import estate_create, jurisdiction_create

    county = demo.jurisdictions["赤壁市"]
    street = jurisdiction_create(
        code="421281001000", name="蒲圻街道", level="street", parent=county
    )
    community = jurisdiction_create(
        code="421281001001", name="河北社区", level="community", parent=street
    )
    estate = estate_create(code="CB-E001", name="陆水花园", community=community)
    channel = Case._meta.get_field("channel").choices[0][0]  # type: ignore[index]
    return Case.objects.create(
        number="421281-2026-000001",
        jurisdiction=county,
        year=2026,
        channel=channel,
        estate=estate,
        title="陆水花园电梯停运",
        description="3 号楼电梯停运一周",
        level=county,
    )

"""The admin lists the three parties' records and offers no change."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["notice", "circular", "report", "custody", "utilitywork"])
def test_admin_lists_read_only(login: Any, demo: Any, model: str) -> None:
    c = login("admin")
    page = c.get(f"/admin/parties/{model}/")
    assert page.status_code == 200
    assert c.get(f"/admin/parties/{model}/add/").status_code == 403

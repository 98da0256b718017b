"""Unit assessment from the case events: page, .xlsx and API agree with the checklist's
formula on the units' metrics; the other county gets 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from gongzhi.appraisal import assessment as a
from gongzhi.org.models import Jurisdiction

pytestmark = pytest.mark.django_db
J = "/appraisal/assessment/370829000000/2026/"


def test_the_assessment_follows_the_metrics(demo: Any, login: Any) -> None:
    rows = a.table(Jurisdiction.objects.get(code="370829000000"), 2026)
    assert rows, "the demo's cases reached some units in 2026"
    for row in rows:
        m = row.metrics
        expected = [
            25 if m.response_rate is None else round(25 * m.response_rate / 100, 1),
            25 if m.resolve_rate is None else round(25 * m.resolve_rate / 100, 1),
            30 if m.satisfaction_rate is None else round(30 * m.satisfaction_rate / 100, 1),
            max(0.0, 10 - 2 * m.overdue),
            max(0.0, 10 - 5 * m.buck_passing),
        ]
        assert row.scores == expected
        assert 0 <= row.total <= 100
    office = login("office")
    page = office.get(J)
    assert page.status_code == 200 and rows[0].unit.name in page.content.decode()
    sheet = load_workbook(io.BytesIO(office.get(J + "?format=xlsx").content)).worksheets[0]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[2][0] == rows[0].unit.name and cells[2][-1] == rows[0].total
    api = office.get("/api/appraisal/assessment/370829000000/2026").json()
    assert api[0]["unit"] == rows[0].unit.name and api[0]["total"] == rows[0].total
    other = login("cb-office")
    assert other.get(J).status_code == 404
    assert other.get("/api/appraisal/assessment/370829000000/2026").status_code == 404

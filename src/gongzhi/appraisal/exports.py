"""The ranking of a period as an .xlsx workbook: company names and scores only, no
person's data (the same rows as the public page)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.appraisal import selectors
from gongzhi.appraisal.models import CreditPolicy
from gongzhi.appraisal.periods import Period

BANDS = {"red": "红榜", "black": "黑榜", "": ""}
COLUMNS = ("名次", "企业名称", "信用分", "榜单")


def ranking_xlsx(policy: CreditPolicy, period: Period) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = period.key
    sheet.append([f"{policy.name} {period.key}（{period.start} 至 {period.end}）"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(COLUMNS))
    for row in selectors.ranking(policy, period):
        sheet.append([row.rank, row.company.name, row.score, BANDS[row.band]])
    sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

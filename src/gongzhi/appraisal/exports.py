"""The ranking of a period as an .xlsx workbook: company names and scores only, no
person's data (the same rows as the public page)."""

from __future__ import annotations

import io

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.appraisal import selectors
from gongzhi.appraisal.models import CreditPolicy
from gongzhi.appraisal.periods import Period

BANDS = {"red": _("红榜"), "black": _("黑榜"), "": ""}
COLUMNS = (_("名次"), _("企业名称"), _("信用分"), _("榜单"))


def ranking_xlsx(policy: CreditPolicy, period: Period) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = period.key
    sheet.append(
        [
            gettext("%(policy)s %(period)s（%(start)s 至 %(end)s）")
            % {
                "policy": policy.name,
                "period": period.key,
                "start": period.start,
                "end": period.end,
            }
        ]
    )
    sheet["A1"].font = Font(bold=True)
    sheet.append([str(c) for c in COLUMNS])
    for row in selectors.ranking(policy, period):
        sheet.append([row.rank, row.company.name, row.score, str(BANDS[row.band])])
    sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

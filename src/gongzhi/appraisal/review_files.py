"""The street's score standard as an .xlsx sheet: a header row with 评议内容, 分值 and
optionally 评分说明, 系统佐证 (cases / accountability); one item per row. Problems are
reported by row and column."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from gongzhi.appraisal.services.review import ItemRow
from gongzhi.common.errors import FieldError, InvalidInput

COLUMNS = {  # i18n: data (the standard file's column titles, read back)
    "评议内容": "title",
    "分值": "weight",
    "评分说明": "guide",
    "系统佐证": "measure",
}
REQUIRED = ("评议内容", "分值")  # i18n: data (the standard file's column titles)


def standard_rows(content: bytes) -> list[ItemRow]:
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # any unreadable file is the user's, not a crash
        raise InvalidInput(errors=[FieldError("file", _("无法读取，请上传 .xlsx 文件"))]) from exc
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise InvalidInput(errors=[FieldError("file", _("文件是空的"))])
    header = [str(c or "").strip() for c in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidInput(
            errors=[FieldError("file", _("缺少此列"), row=1, column=name) for name in missing],
            summary=_("表头不完整，未导入"),
        )
    at = {COLUMNS[name]: header.index(name) for name in COLUMNS if name in header}
    found = []
    for n, values in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in values):
            continue

        def get(key: str, values: Any = values) -> Any:
            i = at.get(key)
            return values[i] if i is not None and i < len(values) else ""

        found.append(
            ItemRow(
                title=str(get("title") or ""),
                weight=get("weight"),
                guide=str(get("guide") or ""),
                measure=str(get("measure") or ""),
                row=n,
            )
        )
    return found

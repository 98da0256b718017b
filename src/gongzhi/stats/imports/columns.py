"""The columns of a ledger import: the ledger export's own columns (cases/exports.py
LEDGER_COLUMNS, so an export re-imports) and the headers of common old ledgers, matched
by header text, not by position. docs/stats.md, "5. Ledger imports" lists them."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Column:
    key: str
    # The headers matched, as written in the sheets (the first is the export's own).
    headers: tuple[str, ...]
    required: bool = False
    width: int = 14


# i18n: data (headers of the ledger export and of old county ledgers, matched as written)
COLUMNS: tuple[Column, ...] = (
    Column("number", ("台账编号", "原台账编号", "工单号", "工单编号", "编号"), True, 18),
    Column("created_at", ("登记时间", "受理时间", "来电时间", "交办时间", "反映时间"), True, 17),
    Column("channel", ("来源渠道", "来源", "渠道", "诉求来源"), False, 12),
    Column("estate", ("小区", "小区名称", "小区编码", "所在小区"), True, 16),
    Column("place", ("位置", "具体位置", "地址", "详细地址"), False, 18),
    Column("reporter_name", ("诉求人", "诉求人姓名", "来电人", "反映人", "姓名"), False, 9),
    Column("reporter_phone", ("联系电话", "来电号码", "电话"), False, 14),
    Column("matter", ("事项", "事项类别", "事项编码", "诉求类别", "问题类型"), False, 18),
    Column("title", ("标题", "诉求标题"), False, 20),
    Column(
        "description",
        ("诉求内容(摘要)", "诉求内容", "问题描述", "反映问题", "来电内容", "反映内容"),
        True,
        40,
    ),
    Column("lead_unit", ("责任单位", "承办单位", "办理单位", "处理单位"), True, 20),
    Column("state", ("状态", "办理状态"), False, 9),
    Column("accepted_at", ("签收时间",), False, 17),
    Column("handled_at", ("办结时间", "办理时间", "完成时间"), False, 17),
    Column("result", ("办理结果", "处理结果", "办理情况", "答复内容"), False, 36),
    Column("rating", ("评价", "满意度", "评价结果", "回访结果"), False, 10),
)
BY_KEY = {c.key: c for c in COLUMNS}
# Columns of the export that an import reads nothing from: computed again on import.
IGNORED = ("办理层级", "签收时限", "办结时限", "是否超时")  # i18n: data (export headers)


def normal(header: object) -> str:
    """A header as compared: no spaces, half-width brackets."""
    text = "" if header is None else str(header)
    text = text.replace("（", "(").replace("）", ")")
    return "".join(text.split())


HEADER_KEYS: dict[str, str] = {normal(h): c.key for c in COLUMNS for h in c.headers}


def column_name(index: int) -> str:
    """The spreadsheet letter of a 0-based column (A, B, … AA)."""
    return get_column_letter(index + 1)


def map_header(cells: list[object]) -> dict[int, str]:
    """Column index → key, for the cells of a header row (first match of a key wins)."""
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        key = HEADER_KEYS.get(normal(cell))
        if key is not None and key not in found.values():
            found[i] = key
    return found


def template_xlsx() -> bytes:
    """The import template: the export's header row, with an example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("台账")
    ws.append([c.headers[0] for c in COLUMNS])
    for i, c in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True, color="C00000" if c.required else None)
        ws.column_dimensions[get_column_letter(i)].width = c.width
    # i18n: data (an example row of the template)
    ws.append(
        [
            "JX-2023-0001",
            "2023-05-06 09:30",
            "12345 热线",
            "曾子花园",
            "5号楼 2单元",
            "王先生",
            "13800000000",
            "",
            "",
            "楼道灯不亮，请物业维修",
            "嘉祥县住房和城乡建设局",
            "已结案",
            "2023-05-06 10:00",
            "2023-05-08 16:00",
            "已更换灯泡",
            "满意",
        ]
    )
    notes = wb.create_sheet(_("说明"))
    notes.append([_("列名"), _("也可写作"), _("必填")])
    for c in COLUMNS:
        notes.append([c.headers[0], "、".join(c.headers[1:]), _("是") if c.required else ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""Files of the unit assessment: the checklist read from an .xlsx (errors by row and
column), and the results in the form sent to the organisation department for the
party-building assessment (001 五(二)): an .xlsx with a title row, one unit per row, the
items as columns, total, rank and remarks, and the same table as a printable A4 PDF."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gongzhi.appraisal.assessment import AssessmentRow, plan_items, table
from gongzhi.appraisal.models import AssessmentItem, AssessmentPlan
from gongzhi.appraisal.services.assessment import ItemRow
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.common.pdf import cjk_font
from gongzhi.org.models import Jurisdiction

COLUMNS = {  # i18n: data (the checklist file's column titles, read back)
    "编码": "code",
    "考核内容": "label",
    "分值": "weight",
    "计分方式": "measure",
    "每次分值": "per",
    "依据": "source",
}
REQUIRED = ("考核内容", "分值", "计分方式")  # i18n: data (the checklist file's column titles)


def items_rows(content: bytes) -> list[ItemRow]:
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
        cell = {k: (values[i] if i < len(values) else None) for k, i in at.items()}
        found.append(
            ItemRow(
                label=cell.get("label"),
                weight=cell.get("weight"),
                measure=cell.get("measure"),
                code=cell.get("code") or "",
                per=cell.get("per") if cell.get("per") not in (None, "") else 1,
                source=cell.get("source") or "",
                row=n,
            )
        )
    return found


def items_xlsx(items: list[AssessmentItem]) -> bytes:
    """The checklist as a file the office can edit and import again."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for i in items:
        sheet.append([i.code, i.label, i.weight, i.measure, float(i.per), i.source])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _state_word(plan: AssessmentPlan | None) -> str:
    if plan is None:
        return _("未建立考核，按默认清单试算")
    return str(plan.get_state_display())


def title_of(jurisdiction: Jurisdiction, year: int, plan: AssessmentPlan | None) -> str:
    return _("%(name)s %(year)s 年度成员单位考核结果（%(state)s）") % {
        "name": jurisdiction.name,
        "year": year,
        "state": _state_word(plan),
    }


def header(items: list[AssessmentItem]) -> list[str]:
    return [
        _("单位"),
        *(_("%(label)s（%(weight)s）") % {"label": i.label, "weight": i.weight} for i in items),
        _("总分"),
        _("名次"),
        _("备注"),
    ]


def _line(row: AssessmentRow, items: list[AssessmentItem]) -> list[Any]:
    return [
        row.unit.name,
        *(row.scores.get(i.code) for i in items),
        row.total,
        row.rank,
        row.remarks,
    ]


def results_xlsx(
    jurisdiction: Jurisdiction,
    year: int,
    plan: AssessmentPlan | None,
    items: list[AssessmentItem],
    rows: list[AssessmentRow],
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(year)
    head = header(items)
    sheet.append([title_of(jurisdiction, year, plan)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(head)
    for row in rows:
        sheet.append(_line(row, items))
    if plan is not None and plan.approved_at is not None:
        sheet.append([])
        sheet.append([_("审定时间：%(when)s") % {"when": _day(plan.approved_at)}])
    sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _day(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def results_pdf(
    jurisdiction: Jurisdiction,
    year: int,
    plan: AssessmentPlan | None,
    items: list[AssessmentItem],
    rows: list[AssessmentRow],
) -> bytes:
    font = cjk_font()
    title_style = ParagraphStyle("t", fontName=font, fontSize=15, leading=21, alignment=1)
    sub = ParagraphStyle("s", fontName=font, fontSize=8, leading=11, alignment=1)
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10, wordWrap="CJK")

    def p(text: Any, style: ParagraphStyle = cell) -> Paragraph:
        return Paragraph(escape(str("" if text is None else text)), style)

    title = title_of(jurisdiction, year, plan)
    data = [[p(h) for h in header(items)]] + [[p(v) for v in _line(r, items)] for r in rows]
    n = len(items)
    item_w = min(16.0, 150.0 / max(n, 1))
    widths = [45 * mm, *([item_w * mm] * n), 13 * mm, 10 * mm]
    widths.append(max(30.0, 267 - 45 - item_w * n - 23) * mm)
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#888888"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
    )
    note = _("依据 001 五(二)、004 四；打印时间 %(when)s") % {"when": _day(timezone.now())}
    if plan is not None and plan.approved_at is not None:
        note += _("；审定时间 %(when)s") % {"when": _day(plan.approved_at)}
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        title=title,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    doc.build([p(title, title_style), p(note, sub), Spacer(1, 4 * mm), grid])
    return buf.getvalue()


def export_response(
    jurisdiction: Jurisdiction, year: int, plan: AssessmentPlan | None, kind: str
) -> HttpResponse:
    items = plan_items(plan, jurisdiction)
    rows = table(plan, jurisdiction, year)
    name = f"assessment-{jurisdiction.code}-{year}"
    if kind == "pdf":
        response = HttpResponse(
            results_pdf(jurisdiction, year, plan, items, rows), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    response = HttpResponse(
        results_xlsx(jurisdiction, year, plan, items, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response

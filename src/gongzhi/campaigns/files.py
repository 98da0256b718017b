"""The campaign's .xlsx files: the survey template (one row per estate the user fills, the
fixed columns 小区编码 / 小区名称 / 认定类型 then one column per form field, titled by the
field's name), reading it back row by row, and the office's export (one row per estate
with every field, and a sheet of progress reports)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.campaigns.fields import (
    CLASS_COLUMN,
    CODE_COLUMN,
    FIXED_COLUMNS,
    KINDS,
    NAME_COLUMN,
    NO,
    YES,
    SurveyField,
    shown,
)
from gongzhi.campaigns.models import Campaign, ProgressReport, Survey
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org.models import Estate

SURVEY_SHEET = "小区摸排认定表"  # i18n: data (the template's sheet, read back)
GUIDE_SHEET = "填写说明"  # i18n: data (the template's sheet)
MAX_ROWS = 5000


@dataclass
class SheetRow:
    row: int
    code: str
    classification: Any
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class SurveySheet:
    rows: list[SheetRow]
    # The column of each field and fixed column, as "C（名称）", for error messages.
    columns: dict[str, str]


def _column(index: int, title: str) -> str:
    return f"{get_column_letter(index + 1)}（{title}）"


def _guide(f: SurveyField) -> str:
    parts = [str(KINDS[f.kind]), _("必填") if f.required else _("选填")]
    if f.choices:
        parts.append(_("可选：%(c)s") % {"c": "/".join(f.choices)})
    if f.help:
        parts.append(f.help)
    return _("；").join(parts)


def template_xlsx(
    campaign: Campaign,
    fields: list[SurveyField],
    classes: list[str],
    estates: Iterable[Estate],
    surveys: dict[int, Survey],
) -> bytes:
    """The template: the user's estates, already filled where a survey exists."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SURVEY_SHEET
    sheet.append([*FIXED_COLUMNS, *(f.label for f in fields)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.cell(1, 3).comment = Comment(_("可选：%(c)s") % {"c": "/".join(classes)}, "gongzhi")
    for i, f in enumerate(fields, start=4):
        sheet.cell(1, i).comment = Comment(_guide(f), "gongzhi")
    for estate in estates:
        s = surveys.get(estate.pk)
        values = s.values if s else {}
        sheet.append(
            [
                estate.code,
                estate.name,
                s.classification if s else "",
                *(shown(f, values.get(f.key)) for f in fields),
            ]
        )
    last = max(sheet.max_row, 2) + 200
    _validation(sheet, 3, classes, last)
    for i, f in enumerate(fields, start=4):
        if f.kind == "choice":
            _validation(sheet, i, list(f.choices), last)
        elif f.kind == "yesno":
            _validation(sheet, i, [YES, NO], last)
    sheet.column_dimensions["B"].width = 24
    guide = book.create_sheet(GUIDE_SHEET)
    guide.append([_("列"), _("说明")])
    guide.append([CODE_COLUMN, _("不要修改；系统按编码识别小区")])
    guide.append([CLASS_COLUMN, _("必填；可选：%(c)s") % {"c": "/".join(classes)}])
    for f in fields:
        guide.append([f.label, _guide(f)])
    guide.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _validation(sheet: Any, column: int, choices: list[str], last: int) -> None:
    formula = '"' + ",".join(c.replace('"', "") for c in choices) + '"'
    if len(formula) > 255:  # Excel's limit for an inline list; the import checks anyway
        return
    rule = DataValidation(type="list", formula1=formula, allow_blank=True)
    letter = get_column_letter(column)
    rule.add(f"{letter}2:{letter}{last}")
    sheet.add_data_validation(rule)


def _unreadable(message: str, **where: Any) -> InvalidInput:
    return InvalidInput(errors=[FieldError("file", message, **where)], summary=_("文件无法导入"))


def read_survey_sheet(content: bytes, fields: list[SurveyField]) -> SurveySheet:
    """The rows of an uploaded survey file. A file that is not the template (unreadable, no
    estate code column, an unknown column) is refused as a whole."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _unreadable(_("不是有效的 .xlsx 文件")) from exc
    sheet = book[SURVEY_SHEET] if SURVEY_SHEET in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    by_label = {f.label: f.key for f in fields}
    at: dict[str, int] = {}
    columns: dict[str, str] = {}
    errors: list[FieldError] = []
    for i, title in enumerate(header):
        if not title:
            continue
        key = {CODE_COLUMN: "code", NAME_COLUMN: "name", CLASS_COLUMN: "class"}.get(title)
        key = key or by_label.get(title)
        if key is None:
            errors.append(FieldError("file", _("无法识别的列"), row=1, column=_column(i, title)))
        else:
            at[key] = i
            columns[key] = _column(i, title)
    for key, title in (("code", CODE_COLUMN), ("class", CLASS_COLUMN)):
        if key not in at:
            errors.append(FieldError("file", _("缺少此列"), row=1, column=title))
    if errors:
        raise InvalidInput(errors=errors, summary=_("表头与本次摸排表不符，未导入"))
    found: list[SheetRow] = []
    for n, cells in enumerate(rows, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        if len(found) >= MAX_ROWS:
            raise _unreadable(_("至多 %(n)s 行") % {"n": MAX_ROWS}, row=n)

        def get(key: str, cells: Any = cells) -> Any:
            i = at.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        found.append(
            SheetRow(
                row=n,
                code=str(get("code") or "").strip(),
                classification=get("class"),
                values={f.key: get(f.key) for f in fields if f.key in at},
            )
        )
    return SurveySheet(rows=found, columns=columns)


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_xlsx(
    campaign: Campaign,
    fields: list[SurveyField],
    estates: Iterable[Estate],
    surveys: dict[int, Survey],
    reports: Iterable[ProgressReport],
) -> bytes:
    """Every estate of the campaign (surveyed or not) with every field; then the reports."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SURVEY_SHEET
    sheet.append(
        [
            _("街道/镇"),
            _("社区/村"),
            *FIXED_COLUMNS,
            *(f.label for f in fields),
            _("填报单位"),
            _("填报时间"),
        ]
    )
    for estate in estates:
        s = surveys.get(estate.pk)
        street = estate.community.parent
        values = s.values if s else {}
        sheet.append(
            [
                street.name if street else "",
                estate.community.name,
                estate.code,
                estate.name,
                s.classification if s else _("未摸排"),
                *(shown(f, values.get(f.key)) for f in fields),
                s.unit.name if s and s.unit else "",
                _local(s.updated_at) if s else "",
            ]
        )
    reports_sheet = book.create_sheet(_("进展报告"))
    reports_sheet.append(
        [
            _("街道/镇"),
            _("截止日期"),
            _("报送时间"),
            _("是否逾期"),
            _("基本情况"),
            _("工作措施"),
            _("存在问题和建议"),
            _("报送单位"),
        ]
    )
    for r in reports:
        late = timezone.localtime(r.filed_at).date() > r.due
        reports_sheet.append(
            [
                r.street.name,
                r.due,
                _local(r.filed_at),
                _("逾期") if late else _("按时"),
                r.situation,
                r.measures,
                r.problems,
                r.unit.name if r.unit else "",
            ]
        )
    for ws in (sheet, reports_sheet):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

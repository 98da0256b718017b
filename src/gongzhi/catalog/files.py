"""Reading and writing catalog files (YAML and .xlsx). Both are read into one
``CatalogDocument`` whose rows remember where they came from (line of the YAML file, or
row and column of the sheet), so that every error can name its place.

The .xlsx layout is documented in docs/catalog-files.md. PyYAML and openpyxl are imported
where a file is read or written, not when the app loads: most commands and requests never
touch a catalog file (see docs/performance.md, "Start-up of the gongzhi command")."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.common.errors import FieldError, InvalidInput

# (field, header) for the 事项 sheet, in column order.
# i18n: data (the file format: column titles are read back on import, in any language)
MATTER_COLUMNS: list[tuple[str, str]] = [
    ("code", "编码"),
    ("name", "名称"),
    ("parent", "上级编码"),
    ("category", "类别"),
    ("description", "职责描述"),
    ("keywords", "关键词"),
    ("phrasings", "常见说法"),
    ("legal_basis", "法律依据"),
    ("source", "出处"),
    ("lead", "牵头单位类型"),
    ("lead_unit", "指定牵头单位编码"),
    ("assist", "协办单位类型"),
    ("property_scope", "属物业服务范围"),
    ("time_limit", "办结时限"),
    ("accept_limit", "签收时限"),
    ("response_limit", "响应时限"),
    ("disabled", "停用"),
    # Appended last so that the letters of the older columns stay as they were.
    ("assist_units", "指定协办单位编码"),
    ("exclusions", "排除说法"),
    ("replaces", "取代上级事项编码"),
]
# i18n: data (the file format)
UNIT_COLUMNS: list[tuple[str, str]] = [
    ("code", "编码"),
    ("name", "名称"),
    ("kind", "类型"),
    ("phone", "办公电话"),
    ("hotline", "服务热线"),
    ("source", "出处"),
]
MATTER_SHEET = "事项"  # i18n: data (the file format: sheet names)
UNIT_SHEET = "成员单位"  # i18n: data
INFO_SHEET = "清单"  # i18n: data
LIST_FIELDS = {"keywords", "phrasings", "assist", "assist_units", "exclusions", "replaces"}
BOOL_FIELDS = {"property_scope", "disabled"}


@dataclass
class Row:
    """One entry of the file with its location: ``row`` is the sheet row or the YAML
    line where the entry starts; ``columns`` maps a field to its column label as the user
    sees it (the sheet's letter and header, or the YAML key); ``lines`` maps a YAML key to
    its own line, so that an error names exactly one row: the key's."""

    values: dict[str, Any]
    row: int
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    def error(self, name: str, message: str) -> FieldError:
        column = self.columns.get(name, name)
        row = self.lines.get(name, self.row)
        return FieldError(field=name, message=message, row=row, column=column)


@dataclass
class CatalogDocument:
    name: str = ""
    source: str = ""
    matters: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    # Problems with single cells found while reading; the import reports them together
    # with the rule checks, so the user sees every error at once.
    errors: list[FieldError] = field(default_factory=list)


def _split_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).replace("；", "\n").replace(";", "\n").replace("、", "\n")
    text = text.replace("，", "\n").replace(",", "\n")
    return [part.strip() for part in text.splitlines() if part.strip()]


def _parse_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"是", "true", "yes", "1", "y"}:  # i18n: data (accepted spellings)
        return True
    if text in {"否", "false", "no", "0", "n"}:  # i18n: data
        return False
    return None


def _normalise(values: dict[str, Any], row: Row, errors: list[FieldError]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in LIST_FIELDS:
            out[key] = _split_list(value)
        elif key in BOOL_FIELDS:
            parsed = _parse_bool(value)
            if parsed is None:
                errors.append(
                    row.error(key, _("应填“是”或“否”，而不是“%(value)s”") % {"value": value})
                )
                parsed = False
            out[key] = parsed
        else:
            out[key] = "" if value is None else str(value).strip()
    return out


# ---------------------------------------------------------------- YAML


def _yaml_lines(
    text: str,
) -> tuple[list[tuple[int, dict[str, int]]], list[tuple[int, dict[str, int]]]]:
    """Line numbers (1-based) of every entry of ``matters`` and ``member_units`` and of
    each of their keys, from the YAML node tree."""
    import yaml

    root = yaml.compose(text)
    found: dict[str, list[tuple[int, dict[str, int]]]] = {"matters": [], "member_units": []}
    if not isinstance(root, yaml.MappingNode):
        return [], []
    for key_node, value_node in root.value:
        if key_node.value in found and isinstance(value_node, yaml.SequenceNode):
            for item in value_node.value:
                keys: dict[str, int] = {}
                if isinstance(item, yaml.MappingNode):
                    for k, _v in item.value:
                        keys[str(k.value)] = k.start_mark.line + 1
                found[key_node.value].append((item.start_mark.line + 1, keys))
    return found["matters"], found["member_units"]


def read_yaml(data: bytes | str) -> CatalogDocument:
    import yaml

    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        loaded = yaml.safe_load(text)
        matter_lines, unit_lines = _yaml_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InvalidInput(
            errors=[
                FieldError(
                    "file",
                    _("YAML 格式错误：%(getattr)s") % {"getattr": getattr(exc, "problem", exc)},
                    row=line,
                )
            ],
            summary=_("文件无法读取"),
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            errors=[FieldError("file", _("文件不是 UTF-8 编码的文本"))], summary=_("文件无法读取")
        ) from exc
    if not isinstance(loaded, dict):
        raise InvalidInput(
            errors=[FieldError("file", _("文件顶层应为键值结构（name、source、matters……）"))],
            summary=_("文件无法读取"),
        )
    doc = CatalogDocument(
        name=str(loaded.get("name") or ""), source=str(loaded.get("source") or "")
    )
    errors = doc.errors
    for section, lines, target in (
        ("matters", matter_lines, doc.matters),
        ("member_units", unit_lines, doc.units),
    ):
        items = loaded.get(section) or []
        if not isinstance(items, list):
            errors.append(FieldError(section, _("%(section)s 应为列表") % {"section": section}))
            continue
        for index, item in enumerate(items):
            line, keys = lines[index] if index < len(lines) else (0, {})
            row = Row(values={}, row=line, sheet=section)
            if not isinstance(item, dict):
                errors.append(row.error(section, _("每一项应为键值结构")))
                continue
            # Each error points at the key's own line where we know it.
            row.columns = {str(k): str(k) for k in item}
            row.lines = {str(k): keys[str(k)] for k in item if str(k) in keys}
            values = dict(item)
            if "parent" in values and values["parent"] is None:
                values["parent"] = ""
            row.values = _normalise(values, row, errors)
            target.append(row)
    return doc


def write_yaml(
    *, name: str, source: str, matters: list[dict[str, Any]], units: list[dict[str, Any]]
) -> bytes:
    import yaml

    header = _("# %(name)s\n# 由 Gongzhi 导出。字段说明见 docs/catalog-files.md。\n") % {
        "name": name
    }
    body = yaml.safe_dump(
        {"name": name, "source": source, "member_units": units, "matters": matters},
        allow_unicode=True,
        sort_keys=False,
        width=120,
    )
    return (header + body).encode("utf-8")


# ---------------------------------------------------------------- XLSX


def _sheet_rows(
    ws: Any,
    columns: list[tuple[str, str]],
    errors: list[FieldError],
    cell_errors: list[FieldError],
) -> list[Row]:
    """Rows of one sheet. Header problems go to ``errors`` (fatal); problems with single
    cells go to ``cell_errors`` and are reported with the import's own checks."""
    from openpyxl.utils import get_column_letter

    header = [str(c.value).strip() if c.value is not None else "" for c in ws[1]]
    by_header = {h: i for i, h in enumerate(header) if h}
    known = dict((h, f) for f, h in columns)
    positions: dict[str, int] = {}
    for header_text, index in by_header.items():
        if header_text in known:
            positions[known[header_text]] = index
        else:
            errors.append(
                FieldError(
                    "header",
                    _("无法识别的列标题“%(header_text)s”") % {"header_text": header_text},
                    row=1,
                    column=get_column_letter(index + 1),
                )
            )
    for field_name, header_text in columns[:2]:
        if field_name not in positions:
            errors.append(
                FieldError(
                    field_name,
                    _("缺少“%(header_text)s”列") % {"header_text": header_text},
                    row=1,
                    column=header_text,
                )
            )
    rows: list[Row] = []
    for row_index, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or str(v).strip() == "" for v in cells):
            continue
        row = Row(values={}, row=row_index, sheet=ws.title)
        row.columns = {
            f: f"{get_column_letter(i + 1)}（{dict(columns)[f]}）" for f, i in positions.items()
        }
        raw = {f: (cells[i] if i < len(cells) else None) for f, i in positions.items()}
        row.values = _normalise(raw, row, cell_errors)
        rows.append(row)
    return rows


def read_xlsx(data: bytes) -> CatalogDocument:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(
            errors=[FieldError("file", _("不是有效的 .xlsx 文件"))], summary=_("文件无法读取")
        ) from exc
    errors: list[FieldError] = []
    doc = CatalogDocument()
    if INFO_SHEET in wb.sheetnames:
        for cells in wb[INFO_SHEET].iter_rows(values_only=True):
            if len(cells) >= 2 and cells[0] == "名称":  # i18n: data (the file format)
                doc.name = str(cells[1] or "")
            elif len(cells) >= 2 and cells[0] == "出处":  # i18n: data
                doc.source = str(cells[1] or "")
    if MATTER_SHEET not in wb.sheetnames:
        raise InvalidInput(
            errors=[
                FieldError(
                    "file", _("缺少工作表“%(MATTER_SHEET)s”") % {"MATTER_SHEET": MATTER_SHEET}
                )
            ],
            summary=_("文件格式有误"),
        )
    doc.matters = _sheet_rows(wb[MATTER_SHEET], MATTER_COLUMNS, errors, doc.errors)
    if UNIT_SHEET in wb.sheetnames:
        doc.units = _sheet_rows(wb[UNIT_SHEET], UNIT_COLUMNS, errors, doc.errors)
    if errors:
        raise InvalidInput(errors=errors, summary=_("文件格式有误"))
    return doc


def _style_header(ws: Any, columns: list[tuple[str, str]], widths: dict[str, int]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([h for _f, h in columns])
    for i, (f, _h) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[get_column_letter(i)].width = widths.get(f, 14)
    ws.freeze_panes = "C2"


def write_xlsx(
    *, name: str, source: str, matters: list[dict[str, Any]], units: list[dict[str, Any]]
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    info.append(["名称", name])  # i18n: data (the file format)
    info.append(["出处", source])  # i18n: data
    info.append(
        [_("说明"), _("列的含义与取值见 docs/catalog-files.md；时限写作 24h、4wh、5wd、3d")]
    )
    info.column_dimensions["A"].width = 10
    info.column_dimensions["B"].width = 80
    ws = wb.create_sheet(MATTER_SHEET)
    _style_header(
        ws,
        MATTER_COLUMNS,
        {"name": 28, "description": 50, "keywords": 30, "legal_basis": 30, "source": 16},
    )
    for m in matters:
        values = []
        for f, _h in MATTER_COLUMNS:
            v = m.get(f, "")
            if f in LIST_FIELDS:
                v = "、".join(v or [])
            elif f in BOOL_FIELDS:
                v = "是" if v else "否"  # i18n: data (the file format)
            values.append(v if v is not None else "")
        ws.append(values)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    us = wb.create_sheet(UNIT_SHEET)
    _style_header(us, UNIT_COLUMNS, {"name": 30, "code": 24})
    for u in units:
        us.append([u.get(f, "") or "" for f, _h in UNIT_COLUMNS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_catalog_file(data: bytes, filename: str) -> CatalogDocument:
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    if lower.endswith((".yaml", ".yml")):
        return read_yaml(data)
    raise InvalidInput(
        errors=[FieldError("file", _("只支持 .yaml/.yml 或 .xlsx 文件"))],
        summary=_("文件类型不支持"),
    )

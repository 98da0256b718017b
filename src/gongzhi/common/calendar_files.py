"""Reading a year's holiday arrangement (the State Council's notice) from YAML or .xlsx.
Every day remembers where it came from, so that every error names one row and one column.
The layouts are documented in docs/configuration.md (section "Working calendar")."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.common.errors import FieldError, InvalidInput

# i18n: data (the file format: the words a notice uses for each kind of day)
HOLIDAY_WORDS = {"放假", "休息", "holiday", "假"}
# i18n: data
WORKDAY_WORDS = {"上班", "调休上班", "补班", "workday", "班"}
# i18n: data (the file format: column titles are read back on import)
SHEET_COLUMNS = [
    ("date", "日期"),
    ("kind", "类型"),
    ("name", "名称"),
    ("source", "出处"),
]


@dataclass
class DayRow:
    """One day of the file. ``row`` is the YAML line or sheet row where the entry
    starts; ``lines`` and ``columns`` place each field."""

    values: dict[str, Any]
    row: int
    columns: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def error(self, name: str, message: str) -> FieldError:
        return FieldError(
            field=name,
            message=message,
            row=self.lines.get(name, self.row),
            column=self.columns.get(name, name),
        )


@dataclass
class CalendarDocument:
    year: int | None = None
    source: str = ""
    rows: list[DayRow] = field(default_factory=list)
    # A notice states a whole year: its rows replace that year's. The older overrides
    # file (``holidays:``/``workdays:`` lists) only adds or changes the days it names.
    replaces_year: bool = True
    errors: list[FieldError] = field(default_factory=list)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y年%m月%d日"):  # i18n: data (dates as files write them)
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def parse_kind(value: Any) -> bool | None:
    """True for a working day, False for a day off, None when unrecognised."""
    text = str(value or "").strip().lower()
    if text in WORKDAY_WORDS:
        return True
    if text in HOLIDAY_WORDS:
        return False
    return None


def _unreadable(message: str, row: int | None = None) -> InvalidInput:
    return InvalidInput(errors=[FieldError("file", message, row=row)], summary=_("文件无法读取"))


def read_yaml(data: bytes | str) -> CalendarDocument:
    import yaml

    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        # BaseLoader keeps dates as text, so that "2027-02-30" is an error of its row.
        loaded = yaml.load(text, Loader=yaml.BaseLoader)
        root = yaml.compose(text)
    except UnicodeDecodeError as exc:
        raise _unreadable(_("文件不是 UTF-8 编码的文本")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _unreadable(
            _("YAML 格式错误：%(getattr)s") % {"getattr": getattr(exc, "problem", exc)},
            mark.line + 1 if mark else None,
        ) from exc
    if not isinstance(loaded, dict):
        raise _unreadable(_("文件顶层应为键值结构（year、source、days）"))
    doc = CalendarDocument(source=str(loaded.get("source") or ""))
    positions = _yaml_positions(root)
    if "days" not in loaded and ("holidays" in loaded or "workdays" in loaded):
        return _read_overrides(loaded, positions, doc)
    if loaded.get("year") not in (None, ""):
        try:
            doc.year = int(loaded["year"])
        except ValueError:
            doc.errors.append(
                FieldError(
                    "year",
                    _("年份“%(year)s”应为四位数字") % {"year": loaded["year"]},
                    row=positions["year"][0],
                )
            )
    items = loaded.get("days")
    if not isinstance(items, list):
        raise _unreadable(_("文件应有 days 列表：每项写 date（或 from、to）、kind、name"))
    for index, item in enumerate(items):
        line, keys = positions["days"][index] if index < len(positions["days"]) else (0, {})
        row = DayRow(values={}, row=line, lines=keys, columns={k: k for k in keys})
        if not isinstance(item, dict):
            doc.errors.append(row.error("days", _("每一项应为键值结构（date、kind、name）")))
            continue
        row.values = {str(k): v for k, v in item.items()}
        doc.rows.append(row)
    return doc


def _read_overrides(
    loaded: dict[str, Any], positions: dict[str, Any], doc: CalendarDocument
) -> CalendarDocument:
    """The file ``GONGZHI_WORKCAL_OVERRIDES`` used to name: ``holidays: [dates]`` and
    ``workdays: [dates]``."""
    doc.replaces_year = False
    for key, kind, name in (
        ("holidays", "放假", "本地放假"),  # i18n: data (stored kind and name)
        ("workdays", "上班", "本地调休上班"),  # i18n: data
    ):
        values = loaded.get(key) or []
        lines = positions.get(key) or []
        if not isinstance(values, list):
            doc.errors.append(FieldError(key, _("%(key)s 应为日期列表") % {"key": key}))
            continue
        for index, value in enumerate(values):
            line = lines[index] if index < len(lines) else 0
            doc.rows.append(
                DayRow(
                    values={"date": value, "kind": kind, "name": name},
                    row=line,
                    columns={"date": key, "kind": key, "name": key},
                )
            )
    return doc


def _yaml_positions(root: Any) -> dict[str, Any]:
    """Line numbers (1-based): of top-level keys; of each ``days`` entry with its keys;
    of each item of the ``holidays``/``workdays`` lists."""
    import yaml

    found: dict[str, Any] = {"days": [], "year": (None,)}
    if not isinstance(root, yaml.MappingNode):
        return found
    for key_node, value_node in root.value:
        key = str(key_node.value)
        if key == "days" and isinstance(value_node, yaml.SequenceNode):
            for item in value_node.value:
                keys: dict[str, int] = {}
                if isinstance(item, yaml.MappingNode):
                    keys = {str(k.value): k.start_mark.line + 1 for k, _v in item.value}
                found["days"].append((item.start_mark.line + 1, keys))
        elif key in ("holidays", "workdays") and isinstance(value_node, yaml.SequenceNode):
            found[key] = [item.start_mark.line + 1 for item in value_node.value]
        else:
            found[key] = (key_node.start_mark.line + 1,)
    return found


def read_xlsx(data: bytes) -> CalendarDocument:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _unreadable(_("不是有效的 .xlsx 文件")) from exc
    ws = wb["节假日"] if "节假日" in wb.sheetnames else wb.worksheets[0]  # i18n: data
    rows = ws.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    known = {h: f for f, h in SHEET_COLUMNS}
    positions: dict[str, int] = {}
    errors: list[FieldError] = []
    for index, text in enumerate(header):
        if not text:
            continue
        if text in known:
            positions[known[text]] = index
        else:
            errors.append(
                FieldError(
                    "header",
                    _("无法识别的列标题“%(text)s”") % {"text": text},
                    row=1,
                    column=get_column_letter(index + 1),
                )
            )
    for name, text in SHEET_COLUMNS[:3]:
        if name not in positions:
            errors.append(
                FieldError(name, _("缺少“%(text)s”列") % {"text": text}, row=1, column=text)
            )
    if errors:
        raise InvalidInput(errors=errors, summary=_("文件格式有误"))
    doc = CalendarDocument()
    columns = {
        f: f"{get_column_letter(i + 1)}（{dict(SHEET_COLUMNS)[f]}）" for f, i in positions.items()
    }
    for number, cells in enumerate(rows, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        values = {f: (cells[i] if i < len(cells) else None) for f, i in positions.items()}
        doc.rows.append(DayRow(values=values, row=number, columns=columns))
    sources = {str(r.values.get("source") or "").strip() for r in doc.rows} - {""}
    doc.source = "；".join(sorted(sources))
    return doc


def read_calendar_file(data: bytes, filename: str) -> CalendarDocument:
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    if lower.endswith((".yaml", ".yml")):
        return read_yaml(data)
    raise InvalidInput(
        errors=[FieldError("file", _("只支持 .yaml/.yml 或 .xlsx 文件"))],
        summary=_("文件类型不支持"),
    )

"""Reading an import file as a stream of rows: .xlsx with openpyxl's read-only mode
(rows parsed as they are read, memory flat), .csv in UTF-8 (with or without BOM) or
GB18030 (what Excel saves on a Chinese Windows). The header row is found among the first
rows (the export puts a title row above it) by the column names it holds."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from gongzhi.stats.imports.columns import COLUMNS, map_header

HEADER_SEARCH_ROWS = 10
MIN_HEADER_MATCHES = 3


class FileUnreadable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The rows below the header: (row number as the spreadsheet shows it, cells)."""

    columns: dict[int, str]  # column index -> key
    headers: dict[int, str]  # column index -> the header as written
    rows: Iterator[tuple[int, tuple[Any, ...]]]
    total: int  # rows below the header (an upper bound for .xlsx: its declared size)
    keys: dict[str, int] = field(init=False)  # key -> column index

    def __post_init__(self) -> None:
        self.keys = {key: i for i, key in self.columns.items()}


def _csv_lines(raw: IO[bytes]) -> Iterator[str]:
    head = raw.read(65536)
    raw.seek(0)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the buffer's end
            encoding = "gb18030"
    reader = codecs.getreader(encoding)(raw, "strict")
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise FileUnreadable(_("文件编码无法识别，请另存为 UTF-8 的 CSV 或 .xlsx")) from exc


def _count_lines(raw: IO[bytes]) -> int:
    n = sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))
    raw.seek(0)
    return n


def _xlsx_rows(raw: IO[bytes]) -> tuple[Iterator[tuple[int, tuple[Any, ...]]], int]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise FileUnreadable(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from exc
    ws = wb.worksheets[0]
    total = ws.max_row or 0
    return ((i, row) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)), total


def open_sheet(raw: IO[bytes], filename: str) -> Sheet:
    """The file's rows; FileUnreadable when it is no ledger (no header row found)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        numbered, total = _xlsx_rows(raw)
    elif name.endswith(".csv"):
        total = _count_lines(raw)
        numbered = ((i, tuple(r)) for i, r in enumerate(csv.reader(_csv_lines(raw)), start=1))
    else:
        raise FileUnreadable(_("只能导入 .xlsx 或 .csv 文件"))
    for number, cells in numbered:
        columns = map_header(list(cells))
        if len(columns) >= MIN_HEADER_MATCHES:
            missing = [
                c.headers[0] for c in COLUMNS if c.required and c.key not in columns.values()
            ]
            if missing:
                raise FileUnreadable(
                    _("表头缺少必填列：%(columns)s") % {"columns": "、".join(missing)}
                )
            headers = {i: str(cells[i]).strip() for i in columns}
            return Sheet(columns, headers, numbered, max(0, total - number))
        if number >= HEADER_SEARCH_ROWS:
            break
    raise FileUnreadable(
        _("前 %(n)s 行中没有找到表头（至少应有台账编号、登记时间、小区等列名）")
        % {"n": HEADER_SEARCH_ROWS}
    )


def as_file(data: bytes) -> IO[bytes]:
    return io.BytesIO(data)

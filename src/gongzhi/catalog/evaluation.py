"""Scoring the classifier and routing on a labelled file (``gongzhi router eval FILE``).

A file (.csv or .xlsx, first row the header) has the columns ``text`` (or 文本/诉求),
``expected`` (or 期望) and optionally ``title`` (标题) and ``estate`` (小区). ``expected`` is
one or more matter codes, unit codes or unit names separated by ``|`` (any of them is
right), or ``-`` for a message outside the catalog, which should abstain to the desk.
A matter code is scored by matter and, through routing at the row's estate, by unit."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from gongzhi.catalog.answer import Answer, classify_message
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org.models import Estate, Unit

# i18n: data (the file format's column titles, read back in Chinese)
HEADERS = {
    "text": {"text", "文本", "诉求", "内容"},
    "expected": {"expected", "期望", "期望结果", "事项"},
    "title": {"title", "标题"},
    "estate": {"estate", "小区", "小区编码"},
}
OUT_OF_SCOPE = {"-", "无", "none"}  # i18n: data (a cell value read from the file)


@dataclass
class Row:
    line: int
    estate: str
    title: str
    text: str
    expected: list[str]


@dataclass
class Report:
    rows: int = 0
    matter_rows: int = 0
    matter_top1: int = 0
    matter_top3: int = 0
    unit_rows: int = 0
    unit_top1: int = 0
    unit_top3: int = 0
    in_scope: int = 0
    in_scope_abstained: int = 0
    out_scope: int = 0
    out_scope_abstained: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[int, str, str, str]] = field(default_factory=list)

    @staticmethod
    def share(part: int, whole: int) -> str:
        return f"{part / whole:.1%}（{part}/{whole}）" if whole else "—"

    def lines(self, show_misses: int = 0) -> list[str]:
        s = self.share
        out = [
            _("消息数：%(rows)s（清单内 %(in_scope)s，清单外 %(out_scope)s）")
            % {"rows": self.rows, "in_scope": self.in_scope, "out_scope": self.out_scope},
            _("按事项  top-1：%(top1)s  top-3：%(top3)s")
            % {
                "top1": s(self.matter_top1, self.matter_rows),
                "top3": s(self.matter_top3, self.matter_rows),
            },
            _("按单位  top-1：%(top1)s  top-3：%(top3)s")
            % {
                "top1": s(self.unit_top1, self.unit_rows),
                "top3": s(self.unit_top3, self.unit_rows),
            },
            _("清单内转人工（弃权）率：%(share)s")
            % {"share": s(self.in_scope_abstained, self.in_scope)},
            _("清单外转人工率：%(share)s") % {"share": s(self.out_scope_abstained, self.out_scope)},
            _("混淆（期望 → 实际，次数）："),
        ]
        for (want, got), count in self.confusion.most_common(15):
            out.append(f"  {want} → {got}  {count}")
        for line, text, want, got in self.misses[:show_misses]:
            out.append(
                "  "
                + _("第 %(line)s 行 %(want)s → %(got)s：%(text)s")
                % {"line": line, "want": want, "got": got, "text": text[:40]}
            )
        return out


def read_rows(path: Path) -> list[Row]:
    """The file's rows; a missing column or an empty cell is refused with its row."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).worksheets[0]
        table = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    else:
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    if not table:
        raise InvalidInput(errors=[FieldError("file", _("文件是空的"))])
    header = [h.strip().lower() for h in table[0]]
    columns: dict[str, int] = {}
    for name, accepted in HEADERS.items():
        for index, h in enumerate(header):
            if h in accepted:
                columns[name] = index
    missing = [n for n in ("text", "expected") if n not in columns]
    if missing:
        raise InvalidInput(
            errors=[
                FieldError(
                    n,
                    _("缺少“%(column)s”列（%(accepted)s）")
                    % {"column": n, "accepted": "/".join(sorted(HEADERS[n]))},
                    row=1,
                )
                for n in missing
            ]
        )
    rows: list[Row] = []
    errors: list[FieldError] = []

    def cell(values: list[str], name: str) -> str:
        index = columns.get(name)
        return values[index].strip() if index is not None and index < len(values) else ""

    for number, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        text, title = cell(values, "text"), cell(values, "title")
        expected = [e.strip() for e in cell(values, "expected").split("|") if e.strip()]
        if not (text or title):
            errors.append(FieldError("text", _("文本为空"), row=number))
        if not expected:
            errors.append(FieldError("expected", _("期望结果为空（清单外的消息写 -）"), row=number))
        rows.append(Row(number, cell(values, "estate"), title, text, expected))
    if errors:
        raise InvalidInput(errors=errors, summary=_("评测文件有 %(n)s 处错误") % {"n": len(errors)})
    return rows


def evaluate(rows: list[Row], default_estate: Estate) -> Report:
    report = Report()
    estates: dict[str, Estate] = {default_estate.code: default_estate}
    for row in rows:
        code = row.estate or default_estate.code
        if code not in estates:
            found = (
                Estate.objects.select_related("community", "property_company", "owners_committee")
                .filter(code=code)
                .first()
            )
            if found is None:
                raise InvalidInput(
                    errors=[
                        FieldError(
                            "estate", _("没有编码为 %(code)s 的小区") % {"code": code}, row=row.line
                        )
                    ]
                )
            estates[code] = found
        _score(report, row, estates[code])
    return report


def _score(report: Report, row: Row, estate: Estate) -> None:
    answer: Answer = classify_message(estate=estate, title=row.title, body=row.text, limit=3)
    report.rows += 1
    got = answer.matter.code if answer.matter else _("待人工")
    if {e.lower() for e in row.expected} & OUT_OF_SCOPE:
        report.out_scope += 1
        if answer.abstained:
            report.out_scope_abstained += 1
        else:
            out_of_scope = _("清单外")
            report.confusion[(out_of_scope, got)] += 1
            report.misses.append((row.line, row.text or row.title, out_of_scope, got))
        return
    report.in_scope += 1
    report.in_scope_abstained += answer.abstained
    entries = effective_catalog(estate.community)
    matters = [e for e in row.expected if e in entries]
    units = _expected_units(estate, row.expected, matters)
    candidates = ([answer.matter] if answer.matter else []) + answer.alternatives
    top3 = candidates[:3]
    if matters:
        report.matter_rows += 1
        hit = answer.matter is not None and answer.matter.code in matters
        report.matter_top1 += hit
        report.matter_top3 += any(c.code in matters for c in top3)
        if not hit:
            report.confusion[(matters[0], got)] += 1
            report.misses.append((row.line, row.text or row.title, "|".join(matters), got))
    if units:
        report.unit_rows += 1
        chosen = answer.matter.unit if answer.matter else None
        report.unit_top1 += chosen is not None and chosen.pk in units
        report.unit_top3 += any(c.unit is not None and c.unit.pk in units for c in top3)


def _expected_units(estate: Estate, expected: list[str], matters: list[str]) -> set[int]:
    from gongzhi.catalog.routing import route_cached

    units: set[int] = set()
    for code in matters:
        lead = route_cached(estate=estate, matter_code=code).lead
        if lead is not None:
            units.add(lead.pk)
    others = [e for e in expected if e not in matters]
    if others:
        units.update(
            Unit.objects.filter(code__in=others).values_list("pk", flat=True),
        )
        units.update(Unit.objects.filter(name__in=others).values_list("pk", flat=True))
    return units

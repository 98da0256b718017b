"""Printable PDFs of a circular and of a report (002 (三)第三至五条): what the page shows,
on A4, with the Chinese font of ``gongzhi.common.pdf``. The views decide who may have
them (access.py), and whether a circular's receipts are included."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gongzhi.common.pdf import cjk_font


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    sub = ParagraphStyle("s", fontName=font, fontSize=9, leading=13, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return title, sub, body


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _table(rows: list[list[Paragraph]]) -> Table:
    table = Table(rows, colWidths=[40 * mm, 130 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#888888"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _build(title: str, story: list[Any]) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm
    )
    doc.build(story)
    return buf.getvalue()


def circular_pdf(circular: Any, receipts: list[Any] | None) -> bytes:
    title, sub, body = _styles()
    heading = (_("【重要紧急】通报：%(title)s") if circular.urgent else _("通报：%(title)s")) % {
        "title": circular.title
    }
    story: list[Any] = [
        _p(heading, title),
        _p(
            f"{circular.estate.name} · {circular.sender_unit.name}"
            f"（{circular.get_sender_party_display()}） · {_when(circular.created_at)}",
            sub,
        ),
        Spacer(1, 6 * mm),
        _p(circular.body, body),
    ]
    if receipts is not None:
        story += [Spacer(1, 6 * mm), _p(_("阅知回执"), body)]
        rows = [[_p(_("接收单位"), body), _p(_("阅知"), body)]]
        for r in receipts:
            who = r.read_by.display_name or r.read_by.username if r.read_by else ""
            state = f"{_when(r.read_at)} {who}" if r.read_at else _("未阅")
            rows.append([_p(r.unit.name, body), _p(state, body)])
        story.append(_table(rows))
    story += [Spacer(1, 6 * mm), _p(_("依据：002 (三)第三、四条"), sub)]
    return _build(circular.title, story)


def report_pdf(
    report: Any, rows: list[tuple[str, str]], recipients: list[tuple[str, str]]
) -> bytes:
    title, sub, body = _styles()
    reached = "；".join(f"{who}：{units}" if units else who for who, units in recipients)
    filer = report.filer_unit.name if report.filer_unit else report.get_filer_party_display()
    table = [[_p(label, body), _p(value or "—", body)] for label, value in rows]
    table += [
        [_p(_("报告单位"), body), _p(filer, body)],
        [_p(_("报送时间"), body), _p(_when(report.created_at), body)],
        [_p(_("送达"), body), _p(reached, body)],
        [_p(_("反馈期限"), body), _p(report.feedback_due.isoformat(), body)],
        [_p(_("状态"), body), _p(report.get_state_display(), body)],
        [_p(_("签收"), body), _p(_when(report.acknowledged_at), body)],
        [_p(_("反馈意见"), body), _p(report.feedback, body)],
    ]
    story = [
        _p(_("重大事项报告：%(kind)s") % {"kind": report.get_kind_display()}, title),
        _p(report.estate.name, sub),
        Spacer(1, 6 * mm),
        _table(table),
        Spacer(1, 6 * mm),
        _p(_("依据：002 (三)第四、五条；003 二(十三)"), sub),
    ]
    return _build(str(report.get_kind_display()), story)

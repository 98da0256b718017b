"""Paper: the notice (会议通知) and the minutes (会议纪要) as PDFs with a Chinese font,
and the half-year/yearly summary as an Excel workbook."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gongzhi.common.pdf import cjk_font
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings.models import Meeting, Minutes
from gongzhi.meetings.selectors import BodySummary, meeting_agenda


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {
        "title": ParagraphStyle("t", fontName=font, fontSize=18, leading=26, alignment=1),
        "h": ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=8),
        "p": ParagraphStyle("p", fontName=font, fontSize=11, leading=18, wordWrap="CJK"),
        "small": ParagraphStyle("s", fontName=font, fontSize=9, leading=14, wordWrap="CJK"),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _pdf(story: list) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm
    )
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list[str]], style: ParagraphStyle, widths: list[float]) -> Table:
    table = Table([[_p(c, style) for c in row] for row in rows], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#555555"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
    )
    return table


def notice_pdf(meeting: Meeting) -> bytes:
    st = _styles()
    agenda = meeting_agenda(meeting)
    when = meeting.starts_at.astimezone(SHANGHAI)
    story: list = [
        _p(f"{meeting.body.name}", st["title"]),
        _p("会 议 通 知", st["title"]),
        Spacer(1, 6 * mm),
        _p(f"会议名称：{meeting.title}", st["p"]),
        _p(f"会议时间：{when:%Y年%m月%d日 %H:%M}", st["p"]),
        _p(f"会议地点：{meeting.place}", st["p"]),
        _p(f"主 持 人：{meeting.chair or '召集人'}", st["p"]),
        _p("会议议程：", st["h"]),
        _p("一、通报上期会议议定事项落实情况", st["p"]),
    ]
    for row in agenda.report:
        story.append(
            _p(
                f"　　{row['title']}（{row['unit']}，时限 {row['due_date']}）：{row['state_label']}",
                st["small"],
            )
        )
    if not agenda.report:
        story.append(_p("　　（无上期议定事项）", st["small"]))
    numbers = "二三四五六七八九十"
    for i, topic in enumerate(agenda.topics):
        n = numbers[i] if i < len(numbers) else str(i + 2)
        story.append(_p(f"{n}、{topic.title}（{topic.proposing_unit}）", st["p"]))
    story.append(_p("参会人员：", st["h"]))
    rows = [["单位", "参会身份", "请假/代会"]]
    for inv in meeting.invitations.select_related("unit").prefetch_related("leaves__substitute"):
        leave = next((lv for lv in inv.leaves.all() if lv.state != "rejected"), None)
        rows.append(
            [
                inv.label,
                inv.get_role_display(),
                f"{leave.get_state_display()}，{leave.substitute}代会" if leave else "",
            ]
        )
    story.append(_table(rows, st["small"], [80 * mm, 30 * mm, 50 * mm]))
    story.append(Spacer(1, 6 * mm))
    story.append(
        _p(
            "请各成员单位主要负责同志准时参加；因特殊情况不能参加的，须向召集人请假，"
            "报联席会议办公室备案，并安排本单位人员参加（000 三(四)2(5)）。",
            st["p"],
        )
    )
    office = meeting.body.office_unit
    sent = meeting.notice_sent_at.astimezone(SHANGHAI) if meeting.notice_sent_at else None
    story.append(Spacer(1, 8 * mm))
    story.append(_p(f"{meeting.body.name}办公室{f'（{office}）' if office else ''}", st["p"]))
    if sent:
        story.append(_p(f"{sent:%Y年%m月%d日}", st["p"]))
    return _pdf(story)


def minutes_pdf(minutes: Minutes) -> bytes:
    st = _styles()
    meeting = minutes.meeting
    when = meeting.starts_at.astimezone(SHANGHAI)
    story: list = [
        _p(f"{meeting.body.name}", st["title"]),
        _p("会 议 纪 要", st["title"]),
        Spacer(1, 6 * mm),
        _p(f"{when:%Y年%m月%d日}，{meeting.title}在{meeting.place}召开。", st["p"]),
    ]
    if minutes.summary:
        story.append(_p(minutes.summary, st["p"]))
    present = [
        inv.label
        for inv in meeting.invitations.select_related("unit", "attendance")
        if getattr(inv, "attendance", None) is not None
        and inv.attendance.status in ("present", "substitute")
    ]
    if present:
        story.append(_p("出席单位：" + "、".join(present), st["small"]))
    for i, item in enumerate(minutes.items.select_related("topic__proposing_unit"), start=1):
        story.append(_p(f"{i}. {item.topic.title}", st["h"]))
        story.append(_p(f"提议单位汇报：{item.report}", st["p"]))
        story.append(_p(f"成员单位意见：{item.views}", st["p"]))
        story.append(_p(f"会议议定：{item.conclusion}", st["p"]))
    decisions = meeting.decisions.select_related("responsible_unit").prefetch_related(
        "cooperating_units"
    )
    if decisions:
        story.append(_p("议定事项及责任分工：", st["h"]))
        rows = [["议定事项", "责任单位", "配合单位", "完成时限"]]
        for d in decisions:
            rows.append(
                [
                    f"{d.title}：{d.required_outcome}",
                    d.responsible_unit.name,
                    "、".join(u.name for u in d.cooperating_units.all()),
                    f"{d.due_date:%Y-%m-%d}",
                ]
            )
        story.append(_table(rows, st["small"], [70 * mm, 35 * mm, 35 * mm, 25 * mm]))
    story.append(Spacer(1, 8 * mm))
    if minutes.signed_at:
        signed = minutes.signed_at.astimezone(SHANGHAI)
        story.append(_p(f"审签：{minutes.signed_by or '召集人'}　{signed:%Y年%m月%d日}", st["p"]))
    else:
        story.append(_p("（草稿，未经召集人审签）", st["p"]))
    return _pdf(story)


def summary_xlsx(summary: BodySummary) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "总结"
    bold = Font(bold=True)
    ws.append([f"{summary.body.name} {summary.label}工作小结"])
    ws["A1"].font = Font(bold=True, size=14)
    rows = [
        ("期间", f"{summary.start:%Y-%m-%d} 至 {summary.end:%Y-%m-%d}"),
        ("计划召开（按会议周期）", summary.scheduled),
        ("实际召开", summary.held),
        ("其中临时会议", summary.adhoc),
        ("未按期召开", summary.missed),
        ("取消", summary.cancelled),
        ("议题：提出", sum(summary.topics.values())),
        (
            "议题：批准/已审议",
            summary.topics["approved"] + summary.topics["scheduled"] + summary.topics["discussed"],
        ),
        ("议题：未批准", summary.topics["rejected"]),
        ("议定事项", summary.decisions_total),
        ("按期办结", summary.done_on_time),
        ("逾期办结", summary.done_late),
        ("在办（未逾期）", summary.open_on_time),
        ("逾期未办结", summary.overdue),
        ("提请上级", summary.escalated),
    ]
    for label, value in rows:
        ws.append([label, value])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 30
    att = wb.create_sheet("出席情况")
    att.append(["单位", "应到次数", "出席", "委托代会", "请假", "缺席", "出席率"])
    for cell in att[1]:
        cell.font = bold
    for line in summary.attendance:
        att.append(
            [
                line.unit,
                line.invited,
                line.present,
                line.substitute,
                line.leave,
                line.absent,
                line.rate,
            ]
        )
    att.column_dimensions["A"].width = 36
    mt = wb.create_sheet("会议")
    mt.append(["会议", "时间", "类型", "状态"])
    for cell in mt[1]:
        cell.font = bold
    for m in summary.meetings:
        mt.append(
            [
                m.title,
                f"{m.starts_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
                m.get_kind_display(),
                m.get_state_display(),
            ]
        )
    mt.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

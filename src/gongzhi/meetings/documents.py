"""Paper: the notice (会议通知) and the minutes (会议纪要) as PDFs with a Chinese font,
and the half-year/yearly summary as an Excel workbook."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils.translation import get_language
from django.utils.translation import gettext as _
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


# i18n: data (the agenda's items are numbered 二、三、… in Chinese documents)
CHINESE_NUMERALS = "一二三四五六七八九十"


def _item_number(n: int) -> str:
    """An agenda item's number: Chinese numerals in a Chinese document, digits otherwise."""
    if get_language().startswith("zh") and n <= len(CHINESE_NUMERALS):
        return CHINESE_NUMERALS[n - 1]
    return str(n)


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
        _p(_("会 议 通 知"), st["title"]),
        Spacer(1, 6 * mm),
        _p(_("会议名称：%(title)s") % {"title": meeting.title}, st["p"]),
        _p(_("会议时间：%(when)s") % {"when": when.strftime(_("%Y年%m月%d日 %H:%M"))}, st["p"]),
        _p(_("会议地点：%(place)s") % {"place": meeting.place}, st["p"]),
        _p(_("主 持 人：%(value)s") % {"value": meeting.chair or _("召集人")}, st["p"]),
        _p(_("会议议程："), st["h"]),
        _p(_("一、通报上期会议议定事项落实情况"), st["p"]),
    ]
    for row in agenda.report:
        story.append(
            _p(
                _("　　%(title)s（%(unit)s，时限 %(due_date)s）：%(state_label)s")
                % {
                    "title": row["title"],
                    "unit": row["unit"],
                    "due_date": row["due_date"],
                    "state_label": row["state_label"],
                },
                st["small"],
            )
        )
    if not agenda.report:
        story.append(_p(_("　　（无上期议定事项）"), st["small"]))
    for i, topic in enumerate(agenda.topics, start=2):
        line = _("%(number)s、%(title)s（%(unit)s）") % {
            "number": _item_number(i),
            "title": topic.title,
            "unit": topic.proposing_unit,
        }
        story.append(_p(line, st["p"]))
    story.append(_p(_("参会人员："), st["h"]))
    rows = [[_("单位"), _("参会身份"), _("请假/代会")]]
    for inv in meeting.invitations.select_related("unit").prefetch_related("leaves__substitute"):
        leave = next((lv for lv in inv.leaves.all() if lv.state != "rejected"), None)
        rows.append(
            [
                inv.label,
                inv.get_role_display(),
                _("%(get_state_display)s，%(substitute)s代会")
                % {"get_state_display": leave.get_state_display(), "substitute": leave.substitute}
                if leave
                else "",
            ]
        )
    story.append(_table(rows, st["small"], [80 * mm, 30 * mm, 50 * mm]))
    story.append(Spacer(1, 6 * mm))
    story.append(
        _p(
            _(
                "请各成员单位主要负责同志准时参加；因特殊情况不能参加的，须向召集人请假，"
                "报联席会议办公室备案，并安排本单位人员参加（000 三(四)2(5)）。"
            ),
            st["p"],
        )
    )
    office = meeting.body.office_unit
    sent = meeting.notice_sent_at.astimezone(SHANGHAI) if meeting.notice_sent_at else None
    story.append(Spacer(1, 8 * mm))
    story.append(
        _p(
            _("%(name)s办公室%(value)s")
            % {"name": meeting.body.name, "value": f"（{office}）" if office else ""},
            st["p"],
        )
    )
    if sent:
        story.append(_p(sent.strftime(_("%Y年%m月%d日")), st["p"]))
    return _pdf(story)


def minutes_pdf(minutes: Minutes) -> bytes:
    st = _styles()
    meeting = minutes.meeting
    when = meeting.starts_at.astimezone(SHANGHAI)
    story: list = [
        _p(f"{meeting.body.name}", st["title"]),
        _p(_("会 议 纪 要"), st["title"]),
        Spacer(1, 6 * mm),
        _p(
            _("%(when)s，%(title)s在%(place)s召开。")
            % {
                "when": when.strftime(_("%Y年%m月%d日")),
                "title": meeting.title,
                "place": meeting.place,
            },
            st["p"],
        ),
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
        story.append(_p(_("出席单位：") + "、".join(present), st["small"]))
    for i, item in enumerate(minutes.items.select_related("topic__proposing_unit"), start=1):
        story.append(_p(f"{i}. {item.topic.title}", st["h"]))
        story.append(_p(_("提议单位汇报：%(report)s") % {"report": item.report}, st["p"]))
        story.append(_p(_("成员单位意见：%(views)s") % {"views": item.views}, st["p"]))
        story.append(_p(_("会议议定：%(conclusion)s") % {"conclusion": item.conclusion}, st["p"]))
    decisions = meeting.decisions.select_related("responsible_unit").prefetch_related(
        "cooperating_units"
    )
    if decisions:
        story.append(_p(_("议定事项及责任分工："), st["h"]))
        rows = [[_("议定事项"), _("责任单位"), _("配合单位"), _("完成时限")]]
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
        story.append(
            _p(
                _("审签：%(signer)s　%(date)s")
                % {
                    "signer": minutes.signed_by or _("召集人"),
                    "date": signed.strftime(_("%Y年%m月%d日")),
                },
                st["p"],
            )
        )
    else:
        story.append(_p(_("（草稿，未经召集人审签）"), st["p"]))
    return _pdf(story)


def summary_xlsx(summary: BodySummary) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("总结")
    bold = Font(bold=True)
    ws.append(
        [_("%(name)s %(label)s工作小结") % {"name": summary.body.name, "label": summary.label}]
    )
    ws["A1"].font = Font(bold=True, size=14)
    rows = [
        (
            _("期间"),
            _("%(start)s 至 %(end)s")
            % {"start": f"{summary.start:%Y-%m-%d}", "end": f"{summary.end:%Y-%m-%d}"},
        ),
        (_("计划召开（按会议周期）"), summary.scheduled),
        (_("实际召开"), summary.held),
        (_("其中临时会议"), summary.adhoc),
        (_("未按期召开"), summary.missed),
        (_("取消"), summary.cancelled),
        (_("议题：提出"), sum(summary.topics.values())),
        (
            _("议题：批准/已审议"),
            summary.topics["approved"] + summary.topics["scheduled"] + summary.topics["discussed"],
        ),
        (_("议题：未批准"), summary.topics["rejected"]),
        (_("议定事项"), summary.decisions_total),
        (_("按期办结"), summary.done_on_time),
        (_("逾期办结"), summary.done_late),
        (_("在办（未逾期）"), summary.open_on_time),
        (_("逾期未办结"), summary.overdue),
        (_("提请上级"), summary.escalated),
    ]
    for label, value in rows:
        ws.append([label, value])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 30
    att = wb.create_sheet(_("出席情况"))
    att.append(
        [_("单位"), _("应到次数"), _("出席"), _("委托代会"), _("请假"), _("缺席"), _("出席率")]
    )
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
    mt = wb.create_sheet(_("会议"))
    mt.append([_("会议"), _("时间"), _("类型"), _("状态")])
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

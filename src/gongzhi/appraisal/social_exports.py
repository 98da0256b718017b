"""Workbooks and printouts of the social rating, the yearly lists, the democratic
appraisal's results and the red/black list:

- ``satisfaction_xlsx``: the published (or, for the office, live) ranking of a period:
  unit names and rates, no resident's data;
- ``proposals_xlsx``: a year's proposed awards and accountability cases with their
  evidence and the leaders' decisions;
- ``review_xlsx``: a democratic appraisal's results, each subject's score per item;
- ``ranking_pdf``: the red/black list of a period on A4 (CJK font), the public page's
  rows."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.appraisal.models import Campaign, CreditPolicy, Proposal, SatisfactionPeriod
from gongzhi.appraisal.periods import Period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(title: str, heading: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True)
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def satisfaction_xlsx(period: SatisfactionPeriod) -> bytes:
    from gongzhi.appraisal.social_results import results

    columns = [
        _("名次"),
        _("单位"),
        _("办件评价数"),
        _("办件满意率（%）"),
        _("问卷评价数"),
        _("问卷满意率（%）"),
        _("综合满意率（%）"),
    ]
    rows = [
        [
            r.rank or "",
            r.unit.name,
            r.case_rated,
            r.case_rate,
            r.survey_rated,
            r.survey_rate,
            r.rate,
        ]
        for r in results(period)
    ]
    heading = _("%(title)s（%(start)s 至 %(end)s；办件评价权重 %(w)s%%）") % {
        "title": period.title,
        "start": period.starts_on,
        "end": period.ends_on,
        "w": period.case_weight,
    }
    return _book(_("满意度评议"), heading, [str(c) for c in columns], rows)


def proposals_xlsx(jurisdiction: Any, year: int, proposals: list[Proposal]) -> bytes:
    columns = [_("类别"), _("单位"), _("依据"), _("佐证"), _("决定"), _("说明"), _("决定时间")]
    rows = [
        [
            p.get_kind_display(),
            p.unit.name,
            p.basis,
            "；".join(f"{e.get('label', '')} {e.get('url', '')}" for e in p.evidence),
            p.get_state_display(),
            p.note,
            p.decided_at.strftime("%Y-%m-%d %H:%M") if p.decided_at else "",
        ]
        for p in proposals
    ]
    heading = _("%(place)s %(year)s 年评先创优与责任追究建议名单") % {
        "place": jurisdiction.name,
        "year": year,
    }
    return _book(str(year), heading, [str(c) for c in columns], rows)


def review_xlsx(campaign: Campaign) -> bytes:
    from gongzhi.appraisal.review_results import results

    items = list(campaign.items.all())
    columns = [_("小区"), _("评议对象"), _("类别")]
    columns += [f"{i.sort}. {i.title}（{i.weight}）" for i in items]
    columns += [_("得分"), _("等次")]
    rows = [
        [r.subject.estate.name, r.subject.unit.name, r.subject.get_party_display()]
        + [r.items.get(i.pk, "") for i in items]
        + [r.score, r.grade]
        for r in results(campaign)
    ]
    heading = _("%(title)s（收回评议表 %(n)s 份）") % {
        "title": campaign.title,
        "n": campaign.sheets.count(),
    }
    book = _book(str(campaign.year), heading, [str(c) for c in columns], rows)
    return book


def ranking_pdf(policy: CreditPolicy, period: Period, rows: list[Any], standings: Any) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from gongzhi.appraisal.exports import BANDS
    from gongzhi.common.pdf import cjk_font

    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    small = ParagraphStyle("s", fontName=font, fontSize=9, leading=13, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text if text is not None else "")), style)

    table = [[p(_("名次")), p(_("企业名称")), p(_("信用分")), p(_("榜单"))]]
    table += [[p(r.rank), p(r.company.name), p(r.score), p(BANDS[r.band])] for r in rows]
    grid = Table(table, colWidths=[18 * mm, 100 * mm, 22 * mm, 25 * mm], repeatRows=1)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#888888")]))
    story: list[Any] = [
        p(_("%(policy)s 信用考评红黑榜") % {"policy": policy.name}, title),
        p(
            _("考评期 %(period)s（%(start)s 至 %(end)s）")
            % {"period": period.key, "start": period.start, "end": period.end},
            small,
        ),
        Spacer(1, 5 * mm),
        grid,
    ]
    for s in standings:
        line = _("%(company)s：%(kind)s，%(start)s 至 %(end)s") % {
            "company": s.company.name,
            "kind": s.get_kind_display(),
            "start": s.starts_on,
            "end": s.ends_on,
        }
        story += [Spacer(1, 2 * mm), p(line)]
    story += [Spacer(1, 5 * mm), p(policy.source or _("依据：001 三(三)"), small)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        title=f"{policy.name} {period.key}",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    doc.build(story)
    return buf.getvalue()

"""The case report form (呈报表) of the six-step procedure, as a PDF.

Layout after 003 附件2 《嘉祥县住宅小区违法违规案件呈报表》: 呈报单位 with contact and
phone, 接收单位 with receiver and phone, the place (违法违规位置), the details, the
opinion of each unit with the head's signature and date, and the photos under 备注.
"本表一式叁份" (003 附件2; 四): three copies in one file, for the joint-conference office,
the reporting unit and the receiving unit, each page marked at its top right."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from gongzhi.cases import access
from gongzhi.cases.models import Attachment, Case, ReportForm, ReportOpinion
from gongzhi.common.pdf import cjk_font

COPIES = (
    gettext_lazy("第一联 联席会议办公室留存"),
    gettext_lazy("第二联 呈报单位留存"),
    gettext_lazy("第三联 接收单位留存"),
)
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
LABEL_W = 30 * mm
PHOTO_MAX_H = 52 * mm
PHOTOS_PER_ROW = 2
# Longest text a cell of the form holds before the rest goes to the continuation sheet.
DETAILS_MAX_H = 95 * mm
OPINION_MAX_H = 40 * mm
CONTINUED = gettext_lazy("……（续见附页）")


def _blank_date() -> str:
    """A date left blank for the hand-written one: "      年    月    日"."""
    gap = "&nbsp;" * 8
    return "&nbsp;" * 14 + _("年") + gap + _("月") + gap + _("日")


@dataclass
class _Styles:
    title: ParagraphStyle
    sub: ParagraphStyle
    label: ParagraphStyle
    body: ParagraphStyle
    sign: ParagraphStyle
    note: ParagraphStyle


def _styles(font: str) -> _Styles:
    base = ParagraphStyle("gz", fontName=font, fontSize=11, leading=16, wordWrap="CJK")
    return _Styles(
        title=ParagraphStyle("t", parent=base, fontSize=18, leading=26, alignment=TA_CENTER),
        sub=ParagraphStyle("s", parent=base, fontSize=10, leading=14, alignment=TA_CENTER),
        label=ParagraphStyle("l", parent=base, alignment=TA_CENTER),
        body=base,
        sign=ParagraphStyle("g", parent=base, leftIndent=60 * mm),
        note=ParagraphStyle("n", parent=base, fontSize=9, leading=13),
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


class _CopyMark(Flowable):
    """Zero-size marker: from here on, pages belong to this copy (drawn at page end)."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._gongzhi_copy = self.label  # type: ignore[attr-defined]


def _opinions(form: ReportForm) -> list[list[dict[str, str]]]:
    """The signed opinions grouped as [reporting unit, receiving unit, office]."""
    order = {
        ReportOpinion.Signer.REPORTING: 0,
        ReportOpinion.Signer.RECEIVING: 1,
        ReportOpinion.Signer.OFFICE: 2,
    }
    groups: list[list[dict[str, str]]] = [[], [], []]
    for row in form.opinions.order_by("id"):
        groups[order[ReportOpinion.Signer(row.signer)]].append(
            {
                "unit": row.unit_name,
                "opinion": row.opinion,
                "head": row.head,
                "date": row.date.isoformat(),
            }
        )
    return groups


def _opinion_cell(
    entries: list[dict[str, str]], st: _Styles, width: float, overflow: list[str]
) -> list[Flowable]:
    """Filled opinions, or blank lines for a hand-written opinion and signature. Text
    that does not fit is appended to ``overflow`` for the continuation sheet."""
    if not entries:
        return [
            Spacer(1, 16 * mm),
            _p(_("负责人（签章）："), st.sign),
            Paragraph(_blank_date(), st.sign),
        ]
    cell: list[Flowable] = []
    for entry in entries:
        head, rest = _fit(str(entry.get("opinion", "")), st.body, width, OPINION_MAX_H)
        if rest:
            overflow.append(
                _("%(get)s意见（续）：%(rest)s") % {"get": entry.get("unit", ""), "rest": rest}
            )
        cell.append(_p(head, st.body))
        cell.append(Spacer(1, 3 * mm))
        cell.append(_p(_("负责人（签章）：%(get)s") % {"get": entry.get("head", "")}, st.sign))
        cell.append(_p(_date_cn(str(entry.get("date", ""))), st.sign))
    return cell


def _fit(text: str, style: ParagraphStyle, width: float, max_h: float) -> tuple[str, str]:
    """Split ``text`` so the first part fits ``width`` × ``max_h`` as a paragraph; the
    rest goes on the continuation sheet. A table row cannot break across pages, so a
    long text in the form would not fit on a page at all."""
    text = text or ""
    if _p(text, style).wrap(width, 10**6)[1] <= max_h:
        return text, ""
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix (with the note) that fits
        mid = (lo + hi + 1) // 2
        if _p(text[:mid] + str(CONTINUED), style).wrap(width, 10**6)[1] <= max_h:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + str(CONTINUED), text[lo:]


def _date_cn(iso: str) -> str:
    try:
        y, m, d = (int(x) for x in iso.split("-"))
    except ValueError:
        return _("年     月     日")
    return _("%(y)s 年 %(m)s 月 %(d)s 日") % {"y": y, "m": m, "d": d}


def _photo(att: Attachment, max_w: float, st: _Styles) -> Flowable:
    try:
        with att.file.open("rb") as fh:
            data = fh.read()
        from gongzhi.common.uploads import pillow

        with pillow().open(io.BytesIO(data)) as img:
            w, h = img.size
            if img.format not in ("JPEG", "PNG"):
                # ReportLab embeds JPEG and PNG best; convert other formats (WebP).
                out = io.BytesIO()
                img.convert("RGB").save(out, "JPEG", quality=88)
                data = out.getvalue()
    except Exception:
        return _p(_("照片无法读取：%(name)s") % {"name": att.name}, st.note)
    scale = min(max_w / w, PHOTO_MAX_H / h)
    return Image(io.BytesIO(data), width=w * scale, height=h * scale)


def _form_story(case: Case, form: ReportForm, photos: list[Attachment], st: _Styles) -> list:
    place = case.jurisdiction.name
    story: list[Any] = [
        _p(_("%(place)s住宅小区违法违规案件呈报表") % {"place": place}, st.title),
        _p(_("（物业管理执法联动案件呈报表）"), st.sub),
        Spacer(1, 2 * mm),
        Table(
            [
                [
                    _p(_("案件编号：%(number)s") % {"number": case.number}, st.body),
                    _p(_("小区：%(name)s") % {"name": case.estate.name}, st.body),
                ]
            ],
            colWidths=[CONTENT_W / 2, CONTENT_W / 2],
            style=[("LEFTPADDING", (0, 0), (-1, -1), 0)],
        ),
        Spacer(1, 1 * mm),
    ]
    value_w = CONTENT_W - LABEL_W
    contact_w = value_w * 0.48
    unit_w = value_w - contact_w
    rep, rec, office = _opinions(form)
    text_w = value_w - 12  # less the cell's padding
    details, details_rest = _fit(form.details, st.body, text_w, DETAILS_MAX_H)
    overflow: list[str] = (
        [_("违法违规详细情况（续）：%(details_rest)s") % {"details_rest": details_rest}]
        if details_rest
        else []
    )
    opinion_cells = [_opinion_cell(g, st, text_w, overflow) for g in (rep, rec, office)]
    rows: list[list[Any]] = [
        [
            _p(_("呈报单位"), st.label),
            _p(form.reporting_unit.name, st.body),
            _p(
                _("联系人：%(contact)s\n电话：%(contact_phone)s")
                % {"contact": form.contact, "contact_phone": form.contact_phone},
                st.body,
            ),
        ],
        [
            _p(_("接收单位"), st.label),
            _p(form.receiving_unit.name, st.body),
            _p(
                _("接收人：%(receiver)s\n电话：%(receiver_phone)s")
                % {"receiver": form.receiver, "receiver_phone": form.receiver_phone},
                st.body,
            ),
        ],
        [_p(_("违法违规位置"), st.label), _p(form.location, st.body), ""],
        [_p(_("违法违规详细情况"), st.label), _p(details, st.body), ""],
        [_p(_("呈报单位意见"), st.label), opinion_cells[0], ""],
        [_p(_("接收单位意见"), st.label), opinion_cells[1], ""],
        [_p(_("联席会议\n办公室意见"), st.label), opinion_cells[2], ""],
        [
            _p(_("备注"), st.label),
            _p(
                _("附违法违规照片 %(len)s 张") % {"len": len(photos)}
                if photos
                else _("附违法违规照片（未上传）"),
                st.body,
            ),
            "",
        ],
    ]
    story.append(_form_table(rows, photos, st, unit_w, contact_w))
    story.append(Spacer(1, 3 * mm))
    story.append(
        _p(
            _("本表一式叁份，联席会议办公室、呈报单位、接收单位各一份。（依据 003 四、附件2）"),
            st.note,
        )
    )
    if overflow:
        # 附页: the rest of the texts too long for the form, on the same copy's pages.
        story.append(Spacer(1, 6 * mm))
        story.append(_p(_("附页（案件编号：%(number)s）") % {"number": case.number}, st.sub))
        for text in overflow:
            story.append(Spacer(1, 2 * mm))
            story.append(_p(text, st.body))
    return story


def _form_table(
    rows: list[list[Any]], photos: list[Attachment], st: _Styles, unit_w: float, contact_w: float
) -> Table:
    """The form's grid: the eight rows of 附件2, then the photos three to a row."""
    # Minimum heights: room for a hand-written opinion; long text makes a row grow.
    heights: list[float] = [12 * mm, 12 * mm, 10 * mm, 34 * mm, 28 * mm, 28 * mm, 28 * mm, 9 * mm]
    span_rows = range(2, len(rows))
    cell_w = (CONTENT_W - 6 * mm) / PHOTOS_PER_ROW
    for i in range(0, len(photos), PHOTOS_PER_ROW):
        group = [_photo(a, cell_w - 4 * mm, st) for a in photos[i : i + PHOTOS_PER_ROW]]
        grid = Table([group], colWidths=[(CONTENT_W - 6 * mm) / len(group)] * len(group))
        grid.setStyle(
            [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
        rows.append([grid, "", ""])
        heights.append(0)
    table = Table(rows, colWidths=[LABEL_W, unit_w, contact_w], minRowHeights=heights)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("VALIGN", (1, 3), (-1, 6), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for r in span_rows:
        style.append(("SPAN", (1, r), (2, r)))
    for r in range(8, len(rows)):
        style.append(("SPAN", (0, r), (2, r)))
    table.setStyle(TableStyle(style))
    return table


def report_form_pdf(case: Case, reader: Any) -> bytes:
    """The 呈报表 of ``case`` in three copies, as ``reader`` may see it (the place and
    details masked for readers who may not see the reporter); the case must have a
    report form."""
    form = (
        ReportForm.objects.select_related("reporting_unit", "receiving_unit")
        .filter(case_id=case.pk)
        .get()
    )
    if not access.can_see_reporter(reader, case):
        names = [case.reporter_name] if case.reporter_name else []
        form.location = access.mask_text(form.location, names=names)
        form.details = access.mask_text(form.details, names=names)
    photos = list(Attachment.objects.filter(case_id=case.pk, purpose="photo").order_by("id"))
    font = cjk_font()
    st = _styles(font)
    buf = io.BytesIO()

    def page_end(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 10)
        label = getattr(canvas, "_gongzhi_copy", "")
        canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN + 6 * mm, label)
        canvas.setFont(font, 8)
        canvas.drawCentredString(
            PAGE_W / 2,
            MARGIN - 8 * mm,
            _("%(number)s · %(label)s · 第 %(page)s 页")
            % {"number": case.number, "label": label, "page": doc.page},
        )
        canvas.restoreState()

    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=_("%(number)s 呈报表") % {"number": case.number},
        author=form.reporting_unit.name,
        subject=_("物业管理执法联动案件呈报表"),
    )
    frame = Frame(MARGIN, MARGIN, CONTENT_W, PAGE_H - 2 * MARGIN, id="form")
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPageEnd=page_end)])
    story: list[Any] = []
    for i, label in enumerate(COPIES):
        if i:
            story.append(PageBreak())
        story.append(_CopyMark(str(label)))
        story.extend(_form_story(case, form, photos, st))
    doc.build(story)
    return buf.getvalue()

"""The estate's QR-code poster (002 (三)第一条: the board is also posted where residents
pass): two codes — the public board and the report form — with the estate's name and the
contacts the board shows. A4 or A3, drawn with ReportLab; the codes are drawn as vector
squares from segno's matrix, so they print sharp at any size."""

from __future__ import annotations

import io

import segno
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A3, A4
from reportlab.pdfgen.canvas import Canvas

from gongzhi.common.pdf import cjk_font

SIZES = {"A4": A4, "A3": A3}


def _qr(c: Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code of ``data`` with its quiet zone, lower-left corner at (x, y)."""
    qr = segno.make(data, error="m", micro=False)
    rows = [list(r) for r in qr.matrix]
    border = 4
    n = len(rows) + 2 * border
    module = size / n
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    for i, row in enumerate(rows):
        for j, dark in enumerate(row):
            if dark:
                c.rect(
                    x + (j + border) * module,
                    y + size - (i + border + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )


def poster_pdf(
    *,
    estate_name: str,
    place: str,
    board_url: str,
    report_url: str,
    contacts: list[tuple[str, str]],
    size: str = "A4",
) -> bytes:
    """The poster as PDF bytes. ``contacts``: (who, office phone) lines shown under the codes."""
    width, height = SIZES[size]
    scale = width / A4[0]
    font = cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height))
    c.setTitle(_("%(estate)s 公示二维码") % {"estate": estate_name})
    margin = 40 * scale
    c.setFont(font, 30 * scale)
    c.drawCentredString(width / 2, height - margin - 30 * scale, estate_name)
    c.setFont(font, 16 * scale)
    c.drawCentredString(
        width / 2, height - margin - 58 * scale, _("物业管理联动公示 · 扫码查看、扫码报事")
    )
    c.setFont(font, 11 * scale)
    c.drawCentredString(width / 2, height - margin - 78 * scale, place)
    code = (width - 3 * margin) / 2
    top = height - margin - 100 * scale
    for k, (label, url) in enumerate(
        ((_("扫码查看小区公示"), board_url), (_("扫码反映问题（报事）"), report_url))
    ):
        x = margin + k * (code + margin)
        _qr(c, url, x, top - code, code)
        c.setFont(font, 16 * scale)
        c.drawCentredString(x + code / 2, top - code - 22 * scale, label)
        c.setFont(font, 8 * scale)
        c.drawCentredString(x + code / 2, top - code - 36 * scale, url)
    y = top - code - 70 * scale
    c.setFont(font, 14 * scale)
    c.drawString(margin, y, _("联系方式（办公电话）"))
    c.setFont(font, 12 * scale)
    for who, phone in contacts:
        y -= 20 * scale
        if y < margin:
            break
        c.drawString(margin, y, _("%(who)s：%(phone)s") % {"who": who, "phone": phone})
    c.setFont(font, 8 * scale)
    c.drawString(
        margin,
        margin / 2,
        _(
            "依据：阳新县 002 (三)第一、二条；赤壁市 001 三(二)；嘉祥县 003 三(三)。"
            "公示不含居民个人信息。"
        ),
    )
    c.showPage()
    c.save()
    return buf.getvalue()

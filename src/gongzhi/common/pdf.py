"""Chinese fonts for PDFs made with ReportLab. A real TrueType CJK font is embedded when
the machine has one (Debian: fonts-wqy-microhei or fonts-noto-cjk; or a file named by
GONGZHI_PDF_FONT); otherwise ReportLab's built-in Adobe CID font STSong-Light is used,
which needs no file but relies on the reader having Chinese fonts."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT_NAME = "GongzhiCJK"


@cache
def cjk_font() -> str:
    """Register and return the name of the Chinese font to use in PDFs."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    paths = [os.environ.get("GONGZHI_PDF_FONT", ""), *CANDIDATES]
    for path in paths:
        if path and Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
            except Exception:  # a broken or unsupported font file: try the next
                continue
            return FONT_NAME
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"

"""The 呈报表 (003 附件2) as a PDF: three copies, the units, the opinions, the photos."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from gongzhi.cases import pdf
from gongzhi.cases import services as s
from gongzhi.cases.models import Case
from gongzhi.cases.pdf import report_form_pdf
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)

# The copies' marks in the source language the tests run in.
COPIES = [str(mark) for mark in pdf.COPIES]


def u(name: str) -> User:
    return User.objects.get(username=name)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("estate__community", "lead_unit", "level").get(pk=case.pk)


def photo(color: tuple[int, int, int] = (30, 120, 200), fmt: str = "JPEG") -> s.Upload:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buf, format=fmt)
    return s.Upload(name="彩钢棚.jpg", content=buf.getvalue())


def reported_case(demo: Any, *, opinion_by_receiver: bool = True) -> Case:
    """A case through discover → photo → stop → report, as a street finds a violation
    and reports it to the urban enforcement bureau (003 四)."""
    case = s.case_register(
        channel="patrol",
        estate="JX-E003",
        title="私建彩钢棚",
        description="院内私建彩钢棚约 20 平方米",
        reporting_unit=demo.units["street:嘉祥街道"],
        is_enforcement=True,
        actor=u("jiedao"),
        now=NOW,
    )
    s.case_enforcement_photo(case=case, actor=u("jiedao"), photos=[photo()], now=NOW)
    s.case_enforcement_stop(case=fresh(case), actor=u("jiedao"), measures="责令停止搭建", now=NOW)
    s.case_enforcement_report(
        case=fresh(case),
        actor=u("jiedao"),
        receiving_unit=demo.units["urban_enforcement"],
        contact="陈晨",
        contact_phone="13805371001",
        details="3号楼东侧院内私建彩钢棚，经现场制止拒不改正，" * 4,
        opinion="请依法查处",
        head="李国斌",
        now=NOW,
    )
    if opinion_by_receiver:
        case = fresh(case)
        s.case_accept(case=case, actor=u("zfj"), now=NOW)
        s.case_report_opinion(case=case, actor=u("zfj"), opinion="立案查处", head="李西渠", now=NOW)
    return fresh(case)


def _text(reader: PdfReader) -> list[str]:
    """Each page's text, with line breaks of wrapped cells removed."""
    return [(page.extract_text() or "").replace("\n", "") for page in reader.pages]


def _images(page: Any) -> int:
    """How many image XObjects the page draws."""
    xobjects = page["/Resources"].get("/XObject")
    if not xobjects:
        return 0
    return sum(
        1 for obj in xobjects.get_object().values() if obj.get_object()["/Subtype"] == "/Image"
    )


def test_three_copies_with_units_opinions_and_photo(demo) -> None:
    case = reported_case(demo)
    reader = PdfReader(io.BytesIO(report_form_pdf(case, u("office"))))
    pages = _text(reader)
    assert len(pages) == 3
    for mark, text in zip(COPIES, pages, strict=True):
        assert mark in text
        assert "违法违规案件呈报表" in text
        assert case.number in text
        assert demo.units["street:嘉祥街道"].name in text
        assert demo.units["urban_enforcement"].name in text
        assert "请依法查处" in text and "李国斌" in text  # the reporting unit's opinion
        assert "立案查处" in text and "李西渠" in text  # the receiving unit's opinion
        assert "办公室意见" in text
    assert all(_images(page) == 1 for page in reader.pages)


def test_missing_opinions_leave_rows_for_signatures(demo) -> None:
    case = reported_case(demo, opinion_by_receiver=False)
    text = _text(PdfReader(io.BytesIO(report_form_pdf(case, u("office")))))[0]
    assert "接收单位意见" in text
    assert "立案查处" not in text
    # Receiving unit and office rows are blank, for a hand signature and date.
    assert text.count("负责人（签章）") == 3
    assert text.count("李国斌") == 1 and text.count("日") == 3


def test_page_serves_the_pdf_to_readers_only(demo, login) -> None:
    case = reported_case(demo)
    url = f"/cases/{case.number}/report-form.pdf"
    response = login("zfj").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert COPIES[2] in _text(PdfReader(io.BytesIO(response.content)))[2]
    assert login("scj").get(url).status_code == 404  # an unrelated unit
    assert login("office").get(url).status_code == 200


def test_case_without_a_form_is_404(demo, login) -> None:
    case = s.case_register(
        channel="12345",
        estate="JX-E001",
        title="楼道无人打扫",
        description="3号楼楼道垃圾",
        matter_code="JX-15-a",
        now=NOW,
    )
    assert login("office").get(f"/cases/{case.number}/report-form.pdf").status_code == 404


def test_api_serves_the_same_pdf(demo, login) -> None:
    case = reported_case(demo)
    response = login("zfj").get(f"/api/cases/{case.number}/report-form.pdf")
    assert response.status_code == 200
    assert COPIES[0] in _text(PdfReader(io.BytesIO(response.content)))[0]


def test_long_details_and_many_photos_flow_onto_more_pages(demo) -> None:
    case = reported_case(demo)
    form = case.report_form
    form.details = "违建情况说明，" * 700  # about 5,000 characters, as much as a form holds
    form.save(update_fields=["details"])
    more = [photo((200, 30, 30), "PNG"), photo((30, 160, 30), "WEBP")]
    s.case_enforcement_photo(case=fresh(case), actor=u("zfj"), photos=more, now=NOW)
    reader = PdfReader(io.BytesIO(report_form_pdf(fresh(case), u("office"))))
    pages = _text(reader)
    assert len(pages) > 3
    # Every page carries its copy's mark, the copies in order.
    marks = [next(m for m in COPIES if m in text) for text in pages]
    assert marks == sorted(marks, key=COPIES.index)
    assert set(marks) == set(COPIES)
    images = sum(_images(page) for page in reader.pages)
    assert images == 9  # three photos in each of three copies

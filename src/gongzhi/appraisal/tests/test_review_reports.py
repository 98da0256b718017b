"""述职 reports of a democratic appraisal's subjects: the street uploads them (page and
API; checked by their bytes), the campaign page and the rater's sheet link them, and only
the campaign's readers or a rater with a code of the campaign may open them; the other
county gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import Campaign, ReviewReport

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_reports_are_uploaded_read_and_scoped(demo: Any, login: Any, client: Client) -> None:
    campaign = Campaign.objects.get(street__name="蒲圻街道", year=2026)  # open, in 赤壁
    subject = campaign.subjects.first()
    assert subject is not None
    jd = login("cb-jiedao")
    page = f"/appraisal/reviews/{campaign.pk}/"
    bad = jd.post(
        page,
        {
            "action": "report_attach",
            "subject_id": subject.pk,
            "file": SimpleUploadedFile("r.txt", b"hello", "text/plain"),
        },
    )
    assert bad.status_code == 422 and not ReviewReport.objects.exists()
    ok = jd.post(
        page,
        {
            "action": "report_attach",
            "subject_id": subject.pk,
            "file": SimpleUploadedFile("述职.pdf", PDF, "application/pdf"),
        },
    )
    assert ok.status_code == 302
    report = ReviewReport.objects.get()
    url = f"/appraisal/reviews/{campaign.pk}/reports/{report.pk}/"
    assert url in jd.get(page).content.decode()
    assert b"".join(jd.get(url).streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    api = jd.post(
        f"/api/appraisal/reviews/{campaign.pk}/subjects/{subject.pk}/reports",
        {"file": SimpleUploadedFile("2.pdf", PDF, "application/pdf")},
    )
    assert api.status_code == 201 and ReviewReport.objects.count() == 2
    code = s.review_codes_issue(campaign=campaign, counts={"owner": 1}, actor=None)[0][1]
    sheet = Client().get(f"/appraisal/rate/?code={code}").content.decode()
    assert f"/reports/{report.pk}/" in sheet
    assert Client().get(f"{url}?code={code}").status_code == 200
    assert Client().get(url).status_code == 404
    other = login("jiedao")
    assert other.get(url).status_code == 404
    refused = other.post(
        f"/api/appraisal/reviews/{campaign.pk}/subjects/{subject.pk}/reports",
        {"file": SimpleUploadedFile("3.pdf", PDF, "application/pdf")},
    )
    assert refused.status_code == 404 and ReviewReport.objects.count() == 2

"""Who may read what, through every door (issue 8): for every demo account of both
counties, each door that shows cases or conference records — the case page and its API,
the ledger page, its API and its Excel export, the lists, the report-form PDF, the
attachments, the metrics and their drill-down, the conferences' lists — shows exactly
what the access modules allow and masks the reporter exactly where they say so.

The rule is asked once (``access.readable_cases`` / ``Viewer.sees_reporter``,
``meetings.access.readable_*``); every door is compared with it, so a door that kept a
rule of its own would disagree here."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from PIL import Image

from gongzhi.cases import access
from gongzhi.cases import services as s
from gongzhi.cases.exports import LEDGER_COLUMNS
from gongzhi.cases.models import Attachment, Case, State
from gongzhi.meetings.access import read as meetings_read
from gongzhi.org.models import User
from gongzhi.org.permissions import scope_for

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def _attach_one_photo_per_county() -> list[Attachment]:
    made = []
    for prefix in ("370829", "421281"):  # 嘉祥县, 赤壁市
        case = (
            Case.objects.filter(number__startswith=prefix)
            .exclude(state__in=(State.CLOSED, State.MERGED))
            .order_by("pk")
            .first()
        )
        assert case is not None, f"the demo has no open case in {prefix}"
        admin = User.objects.get(username="admin")
        made += s.case_attach(
            case=case, actor=admin, uploads=[s.Upload(name="现场.png", content=_png())]
        )
    return made


def _xlsx_numbers(content: bytes) -> dict[str, tuple[str, str]]:
    """台账编号 → (诉求人, 联系电话) of an exported ledger."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    headers = [h for _k, h, _w in LEDGER_COLUMNS]
    rows = list(sheet.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and list(r[: len(headers)]) == headers)
    number, name, phone = (headers.index(h) for h in ("台账编号", "诉求人", "联系电话"))
    return {
        str(r[number]): (str(r[name] or ""), str(r[phone] or ""))
        for r in rows[at + 1 :]
        if r and r[number] and str(r[number])[:1].isdigit()
    }


def test_every_case_door_shows_what_the_access_module_allows(demo: Any, client: Client) -> None:
    attachments = _attach_one_photo_per_county()
    every = list(Case.objects.order_by("pk"))
    assert {c.number[:6] for c in every} >= {"370829", "421281"}, "both counties have cases"
    with_form = set(Case.objects.filter(report_form__isnull=False).values_list("pk", flat=True))
    checked = 0
    for account in demo.accounts:
        user = User.objects.get(username=account.username)
        client.force_login(user)
        viewer = access.viewer(user)
        readable = set(access.readable_cases(user).values_list("number", flat=True))
        who = account.username

        # One case at a time: the page, the API, the PDF — 200 exactly when readable.
        for case in every:
            want = 200 if case.number in readable else 404
            page = client.get(f"/cases/{case.number}/")
            assert page.status_code == want, (who, case.number, "page")
            one = client.get(f"/api/cases/{case.number}")
            assert one.status_code == want, (who, case.number, "api")
            if want == 200:
                body = one.json()
                sees = viewer.sees_reporter(case)
                if case.reporter_phone:
                    assert (body["reporter_phone"] == case.reporter_phone) is sees, (who, case)
                    assert (case.reporter_phone.encode() in page.content) is sees, (who, case)
            if case.pk in with_form:
                pdf = client.get(f"/cases/{case.number}/report-form.pdf")
                assert pdf.status_code == want, (who, case.number, "pdf")
                assert client.get(f"/api/cases/{case.number}/report-form.pdf").status_code == want
            checked += 1

        # The attachments: only through a readable case.
        for att in attachments:
            want = 200 if att.case.number in readable else 404
            got = client.get(f"/cases/{att.case.number}/files/{att.pk}/")
            assert got.status_code == want, (who, att.case.number, "attachment")
            thumb = client.get(f"/cases/{att.case.number}/files/{att.pk}/?thumb=1")
            assert thumb.status_code == want

        # The ledger: its API, its page total and its Excel export list the same cases,
        # all readable, masked as the one rule says.
        ledger = client.get("/api/cases/?limit=500")
        assert ledger.status_code == 200
        items = ledger.json()["items"]
        assert {r["number"] for r in items} == readable, who
        page = client.get("/cases/ledger/")
        assert page.status_code == 200 and page.context["total"] == len(readable), who
        export = client.get("/cases/ledger.xlsx")
        assert export.status_code == 200
        rows = _xlsx_numbers(export.content)
        assert set(rows) == readable, who
        by_number = {c.number: c for c in every}
        for number, (name, phone) in rows.items():
            case = by_number[number]
            if case.reporter_phone:
                assert (phone == case.reporter_phone) is viewer.sees_reporter(case), (who, number)
            if case.reporter_name and len(case.reporter_name) > 1:
                assert (name == case.reporter_name) is viewer.sees_reporter(case), (who, number)

        # Work lists are parts of what the account reads.
        for path in ("/api/cases/desk", "/api/cases/inbox", "/api/cases/mine"):
            got = client.get(path)
            assert got.status_code == 200, (who, path)
            assert {r["number"] for r in got.json()} <= readable, (who, path)

        # Metrics: only units the account oversees or belongs to, and their drill-down
        # lists only cases the account reads.
        visible = set(scope_for(user).visible_units().values_list("code", flat=True))
        metrics = client.get("/api/cases/metrics?start=2026-01-01&end=2026-12-31")
        assert metrics.status_code == 200
        units = {m["unit"]["code"] for m in metrics.json()}
        assert units <= visible, who
        for code in sorted(units)[:3]:
            drill = client.get(f"/cases/metrics/{code}/received/?start=2026-01-01&end=2026-12-31")
            assert drill.status_code == 200, (who, code)
            shown = {c.number for c, _url, _title in drill.context["rows"]}
            assert shown <= readable, (who, code, shown - readable)
        client.logout()
    assert checked == len(every) * len(demo.accounts)


def test_every_conference_list_shows_what_its_access_module_allows(
    demo: Any, client: Client
) -> None:
    doors = {
        "/api/meetings/bodies": meetings_read.readable_bodies,
        "/api/meetings/meetings": meetings_read.readable_meetings,
        "/api/meetings/topics": meetings_read.readable_topics,
        "/api/meetings/decisions": meetings_read.readable_decisions,
        "/api/meetings/leaves": meetings_read.readable_leaves,
    }
    seen_any_other_county = False
    for account in demo.accounts:
        user = User.objects.get(username=account.username)
        client.force_login(user)
        for path, rule in doors.items():
            got = client.get(path)
            assert got.status_code == 200, (account.username, path)
            ids = {row["id"] for row in got.json()}
            allowed = set(rule(user).values_list("pk", flat=True))
            assert ids <= allowed, (account.username, path, ids - allowed)
            # Lists may page or filter by default, but a reader of one must be refused
            # none of what they list and find the rest by id.
            for pk in sorted(allowed)[:5]:
                assert client.get(f"{path}/{pk}").status_code == 200, (account.username, path)
        # Another county's conference is a 404, never a 403 that confirms it exists.
        for body in meetings_read.readable_bodies(User.objects.get(username="admin")):
            if not meetings_read.readable_bodies(user).filter(pk=body.pk).exists():
                assert client.get(f"/api/meetings/bodies/{body.pk}").status_code == 404
                seen_any_other_county = True
        client.logout()
    assert seen_any_other_county

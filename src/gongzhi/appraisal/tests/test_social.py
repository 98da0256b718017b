"""The 群众满意单位 social rating, the yearly lists and the new exports through their
doors: the survey (SMS code through the outbox, one vote per number per period, wrong and
expired codes, the per-client limit), the results (computed, published, public page, .xlsx,
API), proposed awards and accountability cases with the leaders' decisions, the ranking's
PDF, the democratic appraisal's .xlsx, and the county boundary through page and API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import Campaign, Proposal, SatisfactionPeriod, SurveyCode, SurveyVote
from gongzhi.appraisal.social_results import combined, results
from gongzhi.common.errors import Conflict, InvalidInput
from gongzhi.common.models import AuditEvent
from gongzhi.notify.access import body_for_office
from gongzhi.notify.models import Message
from gongzhi.org.models import Unit

pytestmark = pytest.mark.django_db
J = "application/json"
OPEN_DAY = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC)  # inside the demo's second period
COUNTY = "370829000000"


def _period(n: int) -> SatisfactionPeriod:
    return SatisfactionPeriod.objects.filter(jurisdiction__code=COUNTY).order_by("starts_on")[n]


def _sms(period: SatisfactionPeriod) -> Message:
    return Message.objects.filter(
        event="verify_code", target=f"appraisal.satisfactionperiod:{period.pk}"
    ).latest("id")


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def test_one_vote_per_number_through_the_api(demo: Any, client: Client) -> None:
    cache.clear()
    period = _period(1)
    url = f"/api/appraisal/survey/{period.pk}"
    bureau = demo.units["housing_bureau"]
    with time_machine.travel(OPEN_DAY, tick=False):
        bad = client.post(f"{url}/code", {"phone": "12345"}, content_type=J)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "phone"
        assert (
            client.post(f"{url}/code", {"phone": "13905370999"}, content_type=J).status_code == 201
        )
        sms = _sms(period)
        code = sms.params["code"]
        assert sms.channel == "sms" and code in sms.body
        assert code not in body_for_office(sms)  # the office's outbox never shows it
        again = client.post(f"{url}/code", {"phone": "13905370999"}, content_type=J)
        assert again.status_code == 429  # one code a minute
        vote = {"phone": "13905370999", "ratings": {str(bureau.pk): "satisfied"}}
        wrong = client.post(f"{url}/vote", {**vote, "code": "000000"}, content_type=J)
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "code"
        ok = client.post(f"{url}/vote", {**vote, "code": code}, content_type=J)
        assert ok.status_code == 201, ok.json()
        twice = client.post(f"{url}/vote", {**vote, "code": code}, content_type=J)
        assert twice.status_code == 422  # the code is used
    with time_machine.travel(OPEN_DAY + dt.timedelta(minutes=5), tick=False):
        more = client.post(f"{url}/code", {"phone": "139 0537 0999"}, content_type=J)
        assert more.status_code == 409 and "只能评议一次" in more.json()["message"]
    stored = list(SurveyVote.objects.filter(period=period).values())
    assert len(stored) == 1 and "13905370999" not in str(stored)
    assert AuditEvent.objects.filter(action="appraisal.survey_vote").exists()


def test_the_same_number_twice_is_refused_by_the_table(demo: Any) -> None:
    period = _period(0)
    taken = SurveyVote.objects.filter(period=period).first()
    assert taken is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyVote.objects.create(period=period, phone_hash=taken.phone_hash)
    # The same number hashes differently in another period (its own salt).
    assert s.social.phone_hash(period, "1") != s.social.phone_hash(_period(1), "1")


def test_codes_expire_and_wrong_tries_run_out(demo: Any) -> None:
    period = _period(1)
    phone = "13700000001"
    units = {_unit("jx-wy-hongtai").pk: "basic"}
    s.survey_code_send(period=period, phone=phone, now=OPEN_DAY)
    code = _sms(period).params["code"]
    late = OPEN_DAY + dt.timedelta(minutes=11)
    with pytest.raises(InvalidInput) as exc:
        s.survey_vote(period=period, phone=phone, code=code, ratings=units, now=late)
    assert exc.value.errors[0].message == "验证码已失效，请重新获取"
    later = OPEN_DAY + dt.timedelta(minutes=20)
    s.survey_code_send(period=period, phone=phone, now=later)
    code = _sms(period).params["code"]
    for _n in range(5):
        with pytest.raises(InvalidInput):
            s.survey_vote(period=period, phone=phone, code="999999x", ratings=units, now=later)
    with pytest.raises(InvalidInput) as exc:
        s.survey_vote(period=period, phone=phone, code=code, ratings=units, now=later)
    assert exc.value.errors[0].message == "验证码已失效，请重新获取"
    assert SurveyCode.objects.filter(period=period, used_at__isnull=False).count() == 0
    with pytest.raises(InvalidInput) as exc:
        s.survey_vote(period=period, phone=phone, code=code, ratings={999999: "x"}, now=later)
    assert exc.value.errors[0].field == "u999999"


def test_the_survey_page_on_a_phone(demo: Any, client: Client) -> None:
    cache.clear()
    period = _period(1)
    url = f"/appraisal/survey/{period.pk}/"
    hongtai = _unit("jx-wy-hongtai")
    with time_machine.travel(OPEN_DAY, tick=False):
        start = client.get(url)
        assert start.status_code == 200 and "获取验证码" in start.content.decode()
        sent = client.post(url, {"step": "code", "phone": "13600000002"})
        assert sent.status_code == 200 and hongtai.name in sent.content.decode()
        code = _sms(period).params["code"]
        done = client.post(
            url,
            {"step": "vote", "phone": "13600000002", "code": code, f"u{hongtai.pk}": "satisfied"},
        )
        assert "评价已提交" in done.content.decode()
    assert SurveyVote.objects.filter(period=period).count() == 1
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.UTC), tick=False):
        assert "问卷已结束" in client.get(url).content.decode()


def test_the_client_limit(demo: Any, client: Client, settings: Any) -> None:
    cache.clear()
    settings.GONGZHI_SURVEY_PER_CLIENT_HOUR = 2
    url = f"/api/appraisal/survey/{_period(1).pk}/code"
    with time_machine.travel(OPEN_DAY, tick=False):
        got = [
            client.post(url, {"phone": f"1350000000{n}"}, content_type=J).status_code
            for n in range(3)
        ]
        page = client.post(
            f"/appraisal/survey/{_period(1).pk}/", {"step": "code", "phone": "13500000009"}
        )
    assert got == [201, 201, 429]
    assert page.status_code == 429  # the page counts with the API


def test_results_published_with_the_method(demo: Any, client: Client, login: Any) -> None:
    done, running = _period(0), _period(1)
    rows = {r.unit.pk: r for r in results(done)}
    bureau = rows[demo.units["housing_bureau"].pk]
    assert (bureau.survey_rated, bureau.survey_satisfied, bureau.survey_rate) == (5, 4, 80.0)
    assert rows[demo.units["pc:安居"].pk].survey_rate == 33.3
    ranked = [r for r in results(done) if r.rank]
    assert ranked and ranked[0].rank == 1 and ranked == sorted(ranked, key=lambda r: -(r.rate or 0))
    assert combined(done, 90.0, 60.0) == 75.0 and combined(done, None, 60.0) == 60.0
    page = client.get(f"/appraisal/satisfaction/{done.pk}/results/").content.decode()
    assert "计算方法" in page and bureau.unit.name in page and "1390537" not in page
    book = load_workbook(
        io.BytesIO(client.get(f"/appraisal/satisfaction/{done.pk}/results/?format=xlsx").content)
    )
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]  # type: ignore[union-attr]
    assert bureau.unit.name in cells
    api = client.get(f"/api/appraisal/satisfaction/{done.pk}/results").json()
    assert api["votes"] == 6 and api["allowed"] == []
    assert client.get(f"/appraisal/satisfaction/{running.pk}/results/").status_code == 404
    office = login("office")
    early = office.post(f"/api/appraisal/satisfaction/{running.pk}/publish", content_type=J)
    assert early.status_code == 400 and "结束后" in early.json()["message"]
    assert (
        "satisfaction_publish"
        not in office.get(f"/api/appraisal/satisfaction/{running.pk}").json()["allowed"]
    )


def test_the_office_creates_a_period(demo: Any, login: Any) -> None:
    office = login("office")
    bad = office.post(
        f"/api/appraisal/jurisdictions/{COUNTY}/satisfaction",
        {"title": "", "starts_on": "2026-12-01", "ends_on": "2026-11-01", "survey": True},
        content_type=J,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "ends_on"}
    page = office.post(
        "/appraisal/satisfaction/",
        {
            "jurisdiction": _period(0).jurisdiction.pk,
            "title": "测试评议",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
        },
    )
    assert page.status_code == 302
    made = SatisfactionPeriod.objects.get(title="测试评议")
    assert made.survey is False and made.case_weight == 100
    assert (
        login("auditor")
        .post(
            f"/api/appraisal/jurisdictions/{COUNTY}/satisfaction",
            {"title": "x", "starts_on": "2026-12-01", "ends_on": "2026-12-31"},
            content_type=J,
        )
        .status_code
        == 403
    )


def test_awards_and_accountability_for_the_leaders(demo: Any, login: Any) -> None:
    year = _period(0).ends_on.year
    listed = Proposal.objects.filter(jurisdiction__code=COUNTY, year=year)
    awards = listed.filter(kind="award")
    assert awards.filter(key__startswith="satisfaction:").count() == 3
    acc = listed.get(kind="accountability")
    assert "上报 1 次" in acc.basis and acc.evidence[0]["url"].startswith("/cases/")
    assert awards.filter(state="adopted").count() == 1
    office = login("office")
    again = office.post(
        f"/api/appraisal/jurisdictions/{COUNTY}/proposals", {"year": year}, content_type=J
    )
    assert again.status_code == 200 and len(again.json()) == listed.count()
    got = login("convener").get(f"/api/appraisal/jurisdictions/{COUNTY}/proposals?year={year}")
    assert {p["kind"] for p in got.json()} == {"award", "accountability"}
    assert "proposal_decide" in got.json()[-1]["allowed"] or got.json()[-1]["state"] != "proposed"
    office = login("office")
    pending = awards.filter(state="proposed").first()
    assert pending is not None
    url = f"/api/appraisal/proposals/{pending.pk}/decide"
    assert office.post(url, {"adopted": True}, content_type=J).status_code == 403
    leader = login("convener")
    no_note = leader.post(url, {"adopted": False}, content_type=J)
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
    ok = leader.post(url, {"adopted": False, "note": "已获其他表彰"}, content_type=J)
    assert ok.status_code == 200 and ok.json()["state"] == "rejected"
    assert leader.post(url, {"adopted": True}, content_type=J).status_code == 400
    assert AuditEvent.objects.filter(
        action="appraisal.proposal_decide", target_id=str(pending.pk), to_state="rejected"
    ).exists()
    page = leader.post(
        f"/appraisal/awards/{COUNTY}/{year}/",
        {"action": "proposal_decide", "target": acc.pk, "adopted": "true", "note": "约谈"},
    )
    assert page.status_code == 302
    acc.refresh_from_db()
    assert acc.state == "adopted" and acc.decided_by is not None
    text = leader.get(f"/appraisal/awards/{COUNTY}/{year}/").content.decode()
    assert "已获其他表彰" in text and acc.evidence[0]["label"] in text
    book = load_workbook(
        io.BytesIO(leader.get(f"/appraisal/awards/{COUNTY}/{year}/?format=xlsx").content)
    )
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]  # type: ignore[union-attr]
    assert "约谈" in cells and "采纳" in cells


def test_the_other_county_sees_nothing(demo: Any, login: Any) -> None:
    period = _period(0)
    proposal = Proposal.objects.filter(jurisdiction__code=COUNTY).first()
    assert proposal is not None
    cb = login("cb-office")
    assert cb.get(f"/appraisal/satisfaction/{period.pk}/").status_code == 404
    assert cb.get(f"/api/appraisal/satisfaction/{period.pk}").status_code == 404
    assert cb.get("/api/appraisal/satisfaction").json() == []
    assert (
        cb.post(f"/api/appraisal/satisfaction/{period.pk}/publish", content_type=J).status_code
        == 404
    )
    assert cb.get(f"/appraisal/awards/{COUNTY}/2026/").status_code == 404
    assert cb.get(f"/api/appraisal/jurisdictions/{COUNTY}/proposals?year=2026").status_code == 404
    decide = cb.post(
        f"/api/appraisal/proposals/{proposal.pk}/decide", {"adopted": True}, content_type=J
    )
    assert decide.status_code == 404
    assert (
        cb.post(
            f"/api/appraisal/jurisdictions/{COUNTY}/proposals", {"year": 2026}, content_type=J
        ).status_code
        == 404
    )
    office = login("office")
    assert office.get(f"/appraisal/satisfaction/{period.pk}/").status_code == 200


def test_the_ranking_as_pdf(demo: Any, client: Client) -> None:
    got = client.get("/appraisal/ranking/421281000000/?period=2026Q3&format=pdf")
    assert got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(got.content)).pages)
    text = text.replace("\n", "").replace(" ", "")
    assert "赤壁宏达物业服务有限公司" in text and "红榜" in text and "2026Q3" in text
    assert "禁止参与招投标" in text  # 顺安's bar


def test_review_results_as_xlsx(demo: Any, login: Any) -> None:
    campaign = Campaign.objects.get(street__name="嘉祥街道", year=2026)
    got = login("jiedao").get(f"/appraisal/reviews/{campaign.pk}/?format=xlsx")
    book = load_workbook(io.BytesIO(got.content))
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    first_item = campaign.items.first()
    assert first_item is not None
    assert any(first_item.title in str(c) for c in rows[1])
    assert len(rows) == 2 + campaign.subjects.count()
    assert all(isinstance(r[-2], float | int) for r in rows[2:])
    assert (
        login("cb-office").get(f"/appraisal/reviews/{campaign.pk}/?format=xlsx").status_code == 404
    )


def test_conflicting_vote_is_a_conflict(demo: Any) -> None:
    period = _period(1)
    phone = "13800000003"
    s.survey_code_send(period=period, phone=phone, now=OPEN_DAY)
    code = _sms(period).params["code"]
    units = {_unit("jx-wy-hongtai").pk: "satisfied"}
    s.survey_vote(period=period, phone=phone, code=code, ratings=units, now=OPEN_DAY)
    with pytest.raises(Conflict):
        s.survey_code_send(period=period, phone=phone, now=OPEN_DAY + dt.timedelta(hours=1))

"""The democratic appraisal of the three parties (002 (四)) through its services: the
campaign and its subjects, the standard (form rows and .xlsx, errors by row and column),
one sheet per code (also when two submit at once), quorum, the publication period with
its objections, approval and the credit record it feeds."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from openpyxl import Workbook

from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import Campaign, CreditRecord, RaterCode, ReviewSubject
from gongzhi.appraisal.review_files import standard_rows
from gongzhi.appraisal.review_results import evidence, results
from gongzhi.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from gongzhi.org.models import Jurisdiction, User

pytestmark = pytest.mark.django_db
STANDARD = [
    s.ItemRow("联动机制运行", 20),
    s.ItemRow("服务承诺和合同履行", 30),
    s.ItemRow("投诉受理和解决", 30, measure="cases"),
    s.ItemRow("小区秩序和安全", 20, measure="accountability"),
]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _street() -> Jurisdiction:
    return Jurisdiction.objects.get(name="蒲圻街道")


def _campaign(quorum: int = 2) -> Campaign:
    office = _user("cb-jiedao")
    campaign = s.campaign_create(street=_street(), year=2025, quorum=quorum, actor=office)
    s.review_standard_set(campaign=campaign, rows=STANDARD, actor=office)
    return campaign


def _sheet(campaign: Campaign, value: int = 90) -> dict[tuple[int, int], int]:
    """Every subject gets ``value`` % of every item's weight."""
    return {
        (sub.pk, item.pk): item.weight * value // 100
        for sub in campaign.subjects.all()
        for item in campaign.items.all()
    }


def test_a_campaign_rates_the_three_parties_of_each_estate(demo: Any) -> None:
    campaign = _campaign()
    parties = {(x.estate.code, x.party) for x in campaign.subjects.all()}
    # 金色家园 has a residents' committee and a company; 滨湖小区 only the committee.
    assert ("CB-E001", ReviewSubject.Party.COMPANY) in parties
    assert ("CB-E001", ReviewSubject.Party.RESIDENTS) in parties
    assert ("CB-E002", ReviewSubject.Party.COMPANY) not in parties
    with pytest.raises(DomainError, match="已经建立"):
        s.campaign_create(street=_street(), year=2025, actor=_user("cb-jiedao"))
    with pytest.raises(PermissionDenied):
        s.campaign_create(street=_street(), year=2024, actor=_user("office"))  # 嘉祥
    with pytest.raises(PermissionDenied):
        s.campaign_create(street=_street(), year=2024, actor=_user("cb-wy"))


def test_the_standard_is_checked_row_by_row(demo: Any) -> None:
    campaign = s.campaign_create(street=_street(), year=2025, actor=_user("cb-jiedao"))
    with pytest.raises(InvalidInput) as err:
        s.review_standard_set(
            campaign=campaign,
            rows=[s.ItemRow("", 30), s.ItemRow("服务", "三十"), s.ItemRow("安全", 20, measure="x")],
            actor=_user("cb-jiedao"),
        )
    assert {(e.row, e.column) for e in err.value.errors} == {
        (1, "评议内容"),
        (2, "分值"),
        (3, "系统佐证"),
    }
    with pytest.raises(InvalidInput, match="合计应为 100"):
        s.review_standard_set(campaign=campaign, rows=[s.ItemRow("服务", 90)], actor=None)
    assert not campaign.items.exists()


def test_the_standard_from_an_xlsx_file(demo: Any) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "评议内容", "分值", "评分说明"])
    sheet.append([1, "联动机制运行", 40, "按月参加联席会议"])
    sheet.append([2, "投诉受理和解决", "很多", ""])
    out = io.BytesIO()
    book.save(out)
    rows = standard_rows(out.getvalue())
    campaign = s.campaign_create(street=_street(), year=2025, actor=_user("cb-jiedao"))
    with pytest.raises(InvalidInput) as err:
        s.review_standard_set(campaign=campaign, rows=rows, actor=None)
    assert [(e.row, e.column) for e in err.value.errors] == [(3, "分值")]
    bad = Workbook()
    bad_sheet = bad.active
    assert bad_sheet is not None
    bad_sheet.append(["内容", "分"])
    out = io.BytesIO()
    bad.save(out)
    with pytest.raises(InvalidInput) as err:
        standard_rows(out.getvalue())
    assert {e.column for e in err.value.errors} == {"评议内容", "分值"}
    with pytest.raises(InvalidInput):
        standard_rows(b"not a workbook")


def test_one_sheet_per_code_and_every_cell_checked(demo: Any) -> None:
    campaign = _campaign()
    codes = s.review_codes_issue(campaign=campaign, counts={"owner": 2}, actor=None)
    with pytest.raises(NotFound):  # not open yet
        s.review_sheet_submit(code=codes[0][1], points=_sheet(campaign))
    s.review_open(campaign=campaign, actor=_user("cb-jiedao"))
    partial = _sheet(campaign)
    partial.popitem()
    with pytest.raises(InvalidInput):
        s.review_sheet_submit(code=codes[0][1], points=partial)
    too_much = {k: 99 for k in _sheet(campaign)}
    with pytest.raises(InvalidInput):
        s.review_sheet_submit(code=codes[0][1], points=too_much)
    s.review_sheet_submit(code=codes[0][1].lower(), points=_sheet(campaign))
    with pytest.raises(Conflict):
        s.review_sheet_submit(code=codes[0][1], points=_sheet(campaign))
    with pytest.raises(NotFound):
        s.review_sheet_submit(code="ABCD-EFGH", points=_sheet(campaign))
    assert campaign.sheets.count() == 1
    assert RaterCode.objects.filter(campaign=campaign, used_at__isnull=False).count() == 1


def test_quorum_publication_objections_and_approval(demo: Any) -> None:
    jiedao = _user("cb-jiedao")
    campaign = _campaign(quorum=2)
    codes = s.review_codes_issue(
        campaign=campaign, counts={"owner": 1, "party_member": 1}, actor=jiedao
    )
    s.review_open(campaign=campaign, actor=jiedao)
    s.review_sheet_submit(code=codes[0][1], points=_sheet(campaign, 100))
    with pytest.raises(DomainError, match="未达到法定人数"):
        s.review_publish(campaign=campaign, actor=jiedao)
    s.review_sheet_submit(code=codes[1][1], points=_sheet(campaign, 90))
    company = campaign.subjects.get(party=ReviewSubject.Party.COMPANY)
    by_subject = {r.subject.pk: r for r in results(campaign)}
    assert by_subject[company.pk].score == 95.0
    assert by_subject[company.pk].grade == "优秀"
    with time_machine.travel(dt.datetime(2026, 12, 10, 2, tzinfo=dt.UTC)):
        s.review_publish(campaign=campaign, actor=jiedao)
        campaign.refresh_from_db()
        assert campaign.objection_until == dt.date(2026, 12, 17)
        objection = s.review_objection_record(
            campaign=campaign,
            subject=company,
            text="电梯维修不及时，分数偏高",
            raised_by="业主 王某",
            actor=jiedao,
        )
    with time_machine.travel(dt.datetime(2026, 12, 18, 2, tzinfo=dt.UTC)):
        with pytest.raises(InvalidInput, match="公示期已于"):
            s.review_objection_record(campaign=campaign, text="晚到的异议", actor=jiedao)
        with pytest.raises(DomainError, match="未答复"):
            s.review_approve(campaign=campaign, actor=jiedao)
        s.review_objection_answer(objection=objection, answer="经核实，已督促整改", actor=jiedao)
        with pytest.raises(Conflict):
            s.review_objection_answer(objection=objection, answer="再答", actor=jiedao)
        s.review_approve(campaign=campaign, actor=jiedao)
    record = CreditRecord.objects.get(key=f"review:{campaign.pk}:{company.pk}")
    assert (record.rule.code, record.points, record.company_id) == (
        "appraisal.good",
        5,
        company.unit_id,
    )


def test_approval_waits_for_the_publication_period(demo: Any) -> None:
    jiedao = _user("cb-jiedao")
    campaign = _campaign(quorum=1)
    code = s.review_codes_issue(campaign=campaign, counts={"owner": 1}, actor=jiedao)[0][1]
    s.review_open(campaign=campaign, actor=jiedao)
    s.review_sheet_submit(code=code, points=_sheet(campaign, 50))
    s.review_publish(campaign=campaign, actor=jiedao)
    with pytest.raises(DomainError, match="期满后方可审定"):
        s.review_approve(campaign=campaign, actor=jiedao)


def test_evidence_is_prefilled_from_the_cases(demo: Any) -> None:
    campaign = _campaign()
    found = evidence(campaign)
    company = campaign.subjects.get(party=ReviewSubject.Party.COMPANY)
    cases_item = campaign.items.get(measure="cases")
    assert found[(company.pk, cases_item.pk)].startswith("本小区 2025 年诉求")


def test_the_database_keeps_one_sheet_per_code(demo: Any) -> None:
    """Another submission with the same code got its sheet in first (its code update not
    seen yet): the one-to-one key refuses the second sheet."""
    from gongzhi.appraisal.models import ReviewSheet

    campaign = _campaign()
    code = s.review_codes_issue(campaign=campaign, counts={"owner": 1}, actor=None)[0][1]
    s.review_open(campaign=campaign, actor=None)
    rater = RaterCode.objects.get(campaign=campaign)
    ReviewSheet.objects.create(campaign=campaign, rater=rater)
    with pytest.raises(Conflict):
        s.review_sheet_submit(code=code, points=_sheet(campaign))
    assert campaign.sheets.count() == 1


def test_the_demo_has_a_posted_appraisal_and_a_running_one(demo: Any) -> None:
    posted = Campaign.objects.get(street__name="嘉祥街道", year=2026)
    assert posted.state == Campaign.State.PUBLISHED
    assert posted.sheets.count() == 6
    assert posted.objections.get().answered_at is not None
    running = Campaign.objects.get(street__name="蒲圻街道", year=2026)
    assert running.state == Campaign.State.OPEN
    assert (running.sheets.count(), running.codes.count()) == (3, 6)

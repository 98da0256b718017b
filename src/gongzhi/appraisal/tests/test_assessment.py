"""Unit assessment: each kind of measurement from the records of the other apps, the
manual score with evidence (audited, refused field by field), the checklist's edit and
its .xlsx import (errors by row and column), and submission/approval freezing the
results against later events."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from gongzhi.appraisal import assessment as a
from gongzhi.appraisal.assessment_files import items_rows
from gongzhi.appraisal.assessment_measures import item_score, unit_figures
from gongzhi.appraisal.models import AssessmentPlan, ManualScore
from gongzhi.appraisal.services import assessment as s
from gongzhi.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from gongzhi.common.models import AuditEvent
from gongzhi.meetings.models import Attendance, Decision, DecisionState, Invitation, Meeting
from gongzhi.org.models import Body, Jurisdiction, Unit
from gongzhi.parties.models import Party, Report, ReportRecipient

pytestmark = pytest.mark.django_db
COUNTY = "370829000000"
TODAY = dt.date(2026, 12, 31)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _plan() -> AssessmentPlan:
    return AssessmentPlan.objects.get(jurisdiction__code=COUNTY, year=2026)


def _draft(demo: Any) -> AssessmentPlan:
    """The demo's plan is submitted; the convener returns it to the office."""
    return s.assessment_return(plan=_plan(), reason="补充人工评分", actor=demo.users["convener"])


def test_case_items_follow_the_case_metrics(demo: Any) -> None:
    county = Jurisdiction.objects.get(code=COUNTY)
    rows = a.live_rows(None, county, 2026)
    assert any(r.figures["received"] for r in rows), "the demo's cases reached some units"
    assert {r.unit.kind.group for r in rows} <= {"party", "government", "grassroots", "utility"}
    assert any(r.unit.kind_id == "residents_committee" for r in rows)
    for r in rows:
        f = r.figures
        rate = f["response_rate"]
        assert r.scores["response_rate"] == (20 if rate is None else round(20 * rate / 100, 1))
        rate = f["satisfaction_rate"]
        assert r.scores["satisfaction_rate"] == (20 if rate is None else round(20 * rate / 100, 1))
        assert r.scores["overdue"] == max(0.0, 5 - 2 * f["overdue"])
        assert r.scores["buck_passing"] == max(0.0, 5 - 5 * f["buck_passing"])
        assert r.total == round(sum(r.scores.values()), 1)
    ranks = [r.rank for r in rows]
    assert ranks[0] == 1 and ranks == sorted(ranks)


def _meeting(body: Body, day: dt.date, title: str) -> Meeting:
    when = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    return Meeting.objects.create(
        body=body, kind="plenary", title=title, starts_at=when, state="held", held_at=when
    )


def test_attendance_decisions_and_reports_are_measured(demo: Any) -> None:
    unit = demo.units["street:嘉祥街道"]
    body = Body.objects.filter(jurisdiction__code=COUNTY).first()
    assert body is not None
    before = unit_figures([unit], 2026, today=TODAY)[unit.pk]
    # Absent from one conference, present (by a substitute) at another, excused at a third.
    for n, status in enumerate(("absent", "substitute", "leave")):
        meeting = _meeting(body, dt.date(2026, 3, 10 + n), f"测试会议 {n}")
        inv = Invitation.objects.create(meeting=meeting, role="member", unit=unit)
        Attendance.objects.create(invitation=inv, status=status)
    # A meeting of another year does not count.
    old = _meeting(body, dt.date(2025, 6, 1), "去年的会议")
    Attendance.objects.create(
        invitation=Invitation.objects.create(meeting=old, role="member", unit=unit),
        status="absent",
    )
    # Two decisions due in 2026: one done on time, one done late; one not due yet.
    for title, due, done in (
        ("按期", dt.date(2026, 5, 1), dt.datetime(2026, 4, 30, 8, tzinfo=dt.UTC)),
        ("逾期", dt.date(2026, 5, 1), dt.datetime(2026, 5, 3, 8, tzinfo=dt.UTC)),
        ("未到期", dt.date(2027, 1, 5), None),
    ):
        Decision.objects.create(
            meeting=old,
            title=title,
            required_outcome="落实",
            responsible_unit=unit,
            due_date=due,
            state=DecisionState.DONE if done else DecisionState.OPEN,
            done_at=done,
        )
    # A report sent to the street, its feedback day passed unanswered; one the unit filed.
    estate = next(iter(demo.estates.values()))
    report = Report.objects.create(
        estate=estate,
        kind="fund_use",
        filer_party=Party.STREET,
        filer_unit=unit,
        feedback_due=dt.date(2026, 6, 1),
    )
    ReportRecipient.objects.create(report=report, party=Party.STREET, unit=unit)
    after = unit_figures([unit], 2026, today=TODAY)[unit.pk]
    assert (after.absent, after.attended, after.excused) == (
        before.absent + 1,
        before.attended + 1,
        before.excused + 1,
    )
    assert after.decisions_due == before.decisions_due + 2
    assert after.decisions_on_time == before.decisions_on_time + 1
    assert (after.reports_due, after.reports_on_time) == (
        before.reports_due + 1,
        before.reports_on_time,
    )
    assert after.reports_filed == before.reports_filed + 1
    # Scored by each measure's rule.
    rate = 100 * after.attended / (after.attended + after.absent)
    assert item_score(measure="attendance", weight=10, per=1, figures=after) == round(rate / 10, 1)
    rate = 100 * after.decisions_on_time / after.decisions_due
    assert item_score(measure="decisions", weight=10, per=1, figures=after) == round(rate / 10, 1)
    assert item_score(measure="reports_filed", weight=5, per=Decimal(2), figures=after) == min(
        5.0, 2.0 * after.reports_filed
    )
    nothing = unit_figures([demo.units["utility_heat"]], 2025, today=TODAY)
    figures = nothing[demo.units["utility_heat"].pk]
    assert item_score(measure="attendance", weight=10, per=1, figures=figures) == 10.0


def test_manual_score_with_evidence(demo: Any) -> None:
    plan = _draft(demo)
    item = plan.items.get(code="party_building")
    unit = demo.units["urban_enforcement"]
    office = demo.users["office"]
    evidence = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    score = s.assessment_manual_score(
        plan=plan,
        item=item,
        unit=unit,
        points="4",
        note="联合执法表现突出",
        evidence=evidence,
        actor=office,
    )
    assert score.evidence and score.evidence_type == "application/pdf"
    event = AuditEvent.objects.filter(action="assessment.manual_score").latest("id")
    assert event.extra["unit"] == unit.pk and event.extra["points"] == "4.0"
    assert event.extra["evidence"] and event.actor == office
    row = next(r for r in a.live_rows(plan, plan.jurisdiction, 2026) if r.unit == unit)
    assert row.scores["party_building"] == 4.0 and "联合执法表现突出" in row.remarks
    # A second score replaces the first; both are in the audit.
    s.assessment_manual_score(
        plan=plan, item=item, unit=unit, points="3.5", note="复核", actor=office
    )
    assert ManualScore.objects.get(item=item, unit=unit).points == Decimal("3.5")
    assert (
        AuditEvent.objects.filter(action="assessment.manual_score", target_id=str(plan.pk)).count()
        >= 2
    )
    # Bad input: every field named, nothing changed.
    bad = SimpleUploadedFile("x.txt", b"hello", content_type="text/plain")
    with pytest.raises(InvalidInput) as exc:
        s.assessment_manual_score(
            plan=plan, item=item, unit=unit, points="9", note=" ", evidence=bad, actor=office
        )
    assert {e.field for e in exc.value.errors} == {"points", "note", "evidence"}
    other = Unit.objects.filter(jurisdiction__code="421281000000").first()
    assert other is not None
    with pytest.raises(InvalidInput) as exc:
        s.assessment_manual_score(
            plan=plan, item=item, unit=other, points="1", note="x", actor=office
        )
    assert [e.field for e in exc.value.errors] == ["unit"]
    case_item = plan.items.get(code="resolve_rate")
    with pytest.raises(InvalidInput):
        s.assessment_manual_score(
            plan=plan, item=case_item, unit=unit, points="1", note="x", actor=office
        )
    assert ManualScore.objects.get(item=item, unit=unit).points == Decimal("3.5")
    with pytest.raises(PermissionDenied):
        s.assessment_manual_score(
            plan=plan, item=item, unit=unit, points="1", note="x", actor=demo.users["convener"]
        )


def test_submit_and_approval_freeze_the_results(demo: Any) -> None:
    plan = _plan()
    assert plan.state == "submitted", "the demo submits its plan"
    frozen = a.table(plan, plan.jurisdiction, 2026)
    assert len(frozen) == plan.results.count() > 0
    street = demo.units["street:嘉祥街道"]
    assert "红色物业" in next(r for r in frozen if r.unit == street).remarks
    # A later event: the unit with the best attendance score misses a conference.
    target = frozen[0].unit
    body = Body.objects.filter(jurisdiction__code=COUNTY).first()
    assert body is not None
    for n in range(3):
        meeting = _meeting(body, dt.date(2026, 2, 1 + n), f"补记会议 {n}")
        inv = Invitation.objects.create(meeting=meeting, role="member", unit=target)
        Attendance.objects.create(invitation=inv, status="absent")
    live = {r.unit.pk: r.total for r in a.live_rows(plan, plan.jurisdiction, 2026)}
    assert live[target.pk] < frozen[0].total, "the live figure moved"
    with pytest.raises(PermissionDenied):
        s.assessment_approve(plan=plan, actor=demo.users["office"])
    s.assessment_approve(plan=plan, actor=demo.users["convener"])
    plan.refresh_from_db()
    assert plan.state == "approved" and plan.approved_by == demo.users["convener"]
    again = a.table(plan, plan.jurisdiction, 2026)
    assert [(r.unit.pk, r.total, r.rank) for r in again] == [
        (r.unit.pk, r.total, r.rank) for r in frozen
    ]
    assert AuditEvent.objects.filter(action="assessment.approve", target_id=str(plan.pk)).exists()
    item = plan.items.get(code="party_building")
    with pytest.raises(DomainError):
        s.assessment_manual_score(
            plan=plan, item=item, unit=street, points="1", note="x", actor=demo.users["office"]
        )
    with pytest.raises(DomainError):
        s.assessment_return(plan=plan, reason="x", actor=demo.users["convener"])


def test_return_drops_the_frozen_rows(demo: Any) -> None:
    with pytest.raises(InvalidInput):
        s.assessment_return(plan=_plan(), reason=" ", actor=demo.users["convener"])
    plan = _draft(demo)
    assert plan.state == "draft" and plan.results.count() == 0
    s.assessment_submit(plan=plan, actor=demo.users["office"])
    assert plan.state == "submitted" and plan.results.count() > 0


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_checklist_edit_and_xlsx_import(demo: Any) -> None:
    plan = _draft(demo)
    office = demo.users["office"]
    scored = ManualScore.objects.filter(item__plan=plan).count()
    assert scored == 3
    head = ["编码", "考核内容", "分值", "计分方式", "每次分值"]
    bad = _xlsx([head, ["a", "出席", 50, "attendance", 1], ["b", "", 50, "nonsense", "x"]])
    with pytest.raises(InvalidInput) as exc:
        s.assessment_items_set(plan=plan, rows=items_rows(bad), actor=office)
    where = {(e.row, e.column) for e in exc.value.errors}
    assert {(3, "考核内容"), (3, "计分方式"), (3, "每次分值")} <= where
    assert plan.items.count() == 9, "nothing changed"
    with pytest.raises(InvalidInput) as exc:
        items_rows(_xlsx([["考核内容", "分值"]]))
    assert exc.value.errors[0].column == "计分方式"
    good = _xlsx(
        [
            head,
            ["resolve_rate", "解决率", 40, "resolve_rate", 1],
            ["attendance", "出席", 30, "attendance", 1],
            ["party_building", "党建引领", 30, "manual", 1],
        ]
    )
    items = s.assessment_items_set(
        plan=plan, rows=items_rows(good), actor=office, name="items_import"
    )
    assert [(i.code, i.weight) for i in items] == [
        ("resolve_rate", 40),
        ("attendance", 30),
        ("party_building", 30),
    ]
    assert ManualScore.objects.filter(item__plan=plan).count() == scored, "kept with the item"
    rows = a.live_rows(plan, plan.jurisdiction, 2026)
    assert all(set(r.scores) == {"resolve_rate", "attendance", "party_building"} for r in rows)
    # The item no longer scored by hand loses its scores.
    s.assessment_items_set(
        plan=plan,
        rows=[s.ItemRow("党建", 100, "attendance", "party_building")],
        actor=office,
    )
    assert ManualScore.objects.filter(item__plan=plan).count() == 0
    assert (
        AuditEvent.objects.filter(action="assessment.items_set", target_id=str(plan.pk)).count()
        == 2
    )


def test_stale_writers_lose(demo: Any) -> None:
    """Moves are conditional on the state and version the writer read; a score locks the
    plan and re-reads its state, so it cannot land beside a submission."""
    convener = demo.users["convener"]
    first, second = _plan(), _plan()
    s.assessment_approve(plan=first, actor=convener)
    with pytest.raises(Conflict):
        s.assessment_approve(plan=second, actor=convener)
    with pytest.raises(Conflict):
        s.assessment_return(plan=second, reason="x", actor=convener)
    stale = AssessmentPlan.objects.get(pk=first.pk)
    stale.state = "draft"  # as read before the approval
    item = stale.items.get(code="party_building")
    with pytest.raises(DomainError) as exc:
        s.assessment_manual_score(
            plan=stale,
            item=item,
            unit=demo.units["housing_bureau"],
            points="1",
            note="x",
            actor=demo.users["office"],
        )
    assert exc.value.code == "bad_state"
    assert ManualScore.objects.get(item=item, unit=demo.units["housing_bureau"]).points == Decimal(
        "4.5"
    )


def test_the_nearest_place_in_the_yaml_gives_the_checklist(demo: Any, monkeypatch: Any) -> None:
    shipped = a._shipped()
    place = {
        "unit_groups": ["grassroots"],
        "items": [{"code": "attendance", "label": "出席", "weight": 100, "measure": "attendance"}],
    }
    monkeypatch.setattr(a, "_shipped", lambda: {**shipped, "places": {COUNTY: place}})
    street = Jurisdiction.objects.get(name="嘉祥街道")
    assert [(i.code, i.weight) for i in a.default_items(street)] == [("attendance", 100)]
    assert a.unit_groups(None, street) == ["grassroots"]
    other = Jurisdiction.objects.get(code="421281000000")
    assert len(a.default_items(other)) == len(shipped["default"]["items"])

"""Every write of the unit assessment (001 五(二), 004 四): a plan seeded from the shipped
checklist, the checklist edited (page, JSON, .xlsx), the office's manual scores with
evidence, and the plan's states draft → submitted → approved (or returned to draft).
Submitting freezes every unit's result in stored rows; approving keeps them. Each write
is one transaction with its audit event; state moves are conditional updates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import assessment as a
from gongzhi.appraisal import assessment_access as aa
from gongzhi.appraisal.models import AssessmentItem, AssessmentPlan, AssessmentResult, ManualScore
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.common.uploads import UploadRefused, upload_check
from gongzhi.org.models import Jurisdiction, Unit

S = AssessmentPlan.State
M = AssessmentItem.Measure
CODE = re.compile(r"^[a-z0-9_-]{1,40}$")
# The file's column titles, named in the errors of a row.
C_CODE, C_LABEL, C_WEIGHT, C_MEASURE, C_PER = (
    "编码",
    "考核内容",
    "分值",
    "计分方式",
    "每次分值",
)  # i18n: data (column titles)


@dataclass
class ItemRow:
    label: Any
    weight: Any
    measure: Any
    code: Any = ""
    per: Any = 1
    source: Any = ""
    row: int | None = None


def _who(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _locked(plan: AssessmentPlan, name: str, actor: Any) -> AssessmentPlan:
    """The plan's row locked for this transaction, the right checked on the fresh state."""
    fresh = (
        AssessmentPlan.objects.select_for_update().select_related("jurisdiction").get(pk=plan.pk)
    )
    aa.require(actor, name, fresh)
    return fresh


def _bump(plan: AssessmentPlan, old: str, new: str, **fields: Any) -> None:
    done = AssessmentPlan.objects.filter(pk=plan.pk, state=old, version=plan.version).update(
        state=new, version=plan.version + 1, updated_at=timezone.now(), **fields
    )
    if done != 1:
        raise Conflict(_("考核已被他人更新，请刷新"))
    plan.refresh_from_db()


@transaction.atomic
def assessment_plan_create(*, jurisdiction: Jurisdiction, year: int, actor: Any) -> AssessmentPlan:
    """A plan for the jurisdiction and year, its checklist copied from data/assessment.yaml."""
    error = aa.create_refusal(actor, jurisdiction, None)
    if error is not None:
        raise error
    if not 2000 <= year <= 2100:
        raise InvalidInput(errors=[FieldError("year", _("年度不正确"))])
    try:
        with transaction.atomic():
            plan = AssessmentPlan.objects.create(
                jurisdiction=jurisdiction,
                year=year,
                title=_("%(name)s %(year)s 年度成员单位考核")
                % {"name": jurisdiction.name, "year": year},
                unit_groups=a.unit_groups(None, jurisdiction),
            )
    except IntegrityError as exc:
        raise DomainError(_("本年度考核已经建立"), code="bad_state") from exc
    items = a.default_items(jurisdiction)
    for item in items:
        item.plan = plan
    AssessmentItem.objects.bulk_create(items)
    audit_record(
        actor=actor,
        action="assessment.create",
        target=plan,
        to_state=plan.state,
        extra={"items": [(i.code, i.weight) for i in items]},
    )
    return plan


def _check_row(n: int, r: ItemRow, errors: list[FieldError]) -> AssessmentItem:
    at = r.row if r.row is not None else n

    def err(field: str, column: str, message: str) -> None:
        errors.append(FieldError(field, message, row=at, column=column))

    label = str(r.label or "").strip()
    if not label or len(label) > 100:
        err("label", C_LABEL, _("应为 1 至 100 个字"))
    code = str(r.code or "").strip().lower() or f"item{n}"
    if not CODE.match(code):
        err("code", C_CODE, _("只能用小写字母、数字、下划线，最多 40 个字符"))
    try:
        weight = int(str(r.weight).strip())
        if not 1 <= weight <= 100:
            raise ValueError
    except (TypeError, ValueError):
        err("weight", C_WEIGHT, _("应为 1 至 100 的整数，而不是“%(value)s”") % {"value": r.weight})
        weight = 0
    measure = str(r.measure or "").strip()
    if measure not in M.values:
        err("measure", C_MEASURE, _("应为以下之一：%(allowed)s") % {"allowed": "、".join(M.values)})
    try:
        per = Decimal(str(r.per if r.per not in (None, "") else 1).strip())
        if not Decimal(0) <= per <= Decimal(100):
            raise InvalidOperation
    except InvalidOperation:
        err("per", C_PER, _("应为 0 至 100 的数"))
        per = Decimal(1)
    return AssessmentItem(
        sort=n,
        code=code,
        label=label[:100],
        weight=weight,
        measure=measure,
        per=per.quantize(Decimal("0.1")),
        source=str(r.source or "").strip()[:120],
    )


def check_items(rows: list[ItemRow]) -> list[AssessmentItem]:
    """Every row checked; the weights sum to 100; codes unique. Nothing kept on error."""
    errors: list[FieldError] = []
    items = [_check_row(n, r, errors) for n, r in enumerate(rows, start=1)]
    seen: set[str] = set()
    for item, r in zip(items, rows, strict=True):
        if item.code in seen:
            errors.append(FieldError("code", _("编码重复"), row=r.row or item.sort, column=C_CODE))
        seen.add(item.code)
    if not rows:
        errors.append(FieldError("items", _("考核清单至少要有一项")))
    elif not errors and sum(i.weight for i in items) != 100:
        total = sum(i.weight for i in items)
        errors.append(
            FieldError(
                "weight",
                _("各项分值合计应为 100，现为 %(total)s") % {"total": total},
                column=C_WEIGHT,
            )
        )
    if errors:
        raise InvalidInput(
            errors=errors, summary=_("考核清单有 %(n)s 处错误，未保存") % {"n": len(errors)}
        )
    return items


@transaction.atomic
def assessment_items_set(
    *, plan: AssessmentPlan, rows: list[ItemRow], actor: Any, name: str = "items_set"
) -> list[AssessmentItem]:
    """Replace the checklist. An item keeps its manual scores while its code stays and it
    is still scored by hand; the others' scores go with them."""
    plan = _locked(plan, name, actor)
    items = check_items(rows)
    old = {i.code: i for i in plan.items.all()}
    keep = {i.code for i in items}
    gone = [i.pk for code, i in old.items() if code not in keep]
    AssessmentItem.objects.filter(pk__in=gone).delete()
    # Free the sort numbers first: the (plan, sort) key must hold after every statement.
    for n, item in enumerate(i for i in old.values() if i.code in keep):
        AssessmentItem.objects.filter(pk=item.pk).update(sort=1000 + n)
    for item in items:
        before = old.get(item.code)
        if before is None:
            item.plan = plan
            item.save()
            continue
        if before.measure == M.MANUAL and item.measure != M.MANUAL:
            before.manual_scores.all().delete()
        item.pk, item.plan, item.created_at = before.pk, plan, before.created_at
        item.save()
    audit_record(
        actor=actor,
        action="assessment.items_set",
        target=plan,
        extra={
            "items": [(i.code, i.weight, i.measure) for i in items],
            "removed": sorted(set(old) - keep),
        },
    )
    return list(plan.items.all())


@transaction.atomic
def assessment_manual_score(
    *,
    plan: AssessmentPlan,
    item: AssessmentItem,
    unit: Unit,
    points: Any,
    note: str,
    evidence: Any = None,
    actor: Any,
) -> ManualScore:
    """The office scores a unit on a manual item, with a note and optionally a file (PDF
    or image) as evidence; a second score replaces the first, the audit keeps both."""
    plan = _locked(plan, "manual_score", actor)
    errors: list[FieldError] = []
    if item.plan_id != plan.pk or item.measure != M.MANUAL:
        errors.append(FieldError("item", _("该项目不是本考核的人工评分项")))
    groups = a.unit_groups(plan, plan.jurisdiction)
    if not a.assessed_units(plan.jurisdiction, groups).filter(pk=unit.pk).exists():
        errors.append(FieldError("unit", _("该单位不在本考核范围内")))
    try:
        value = Decimal(str(points).strip()).quantize(Decimal("0.1"))
        if not Decimal(0) <= value <= Decimal(item.weight):
            raise InvalidOperation
    except InvalidOperation:
        errors.append(
            FieldError("points", _("应为 0 至 %(weight)s 的分数") % {"weight": item.weight})
        )
        value = Decimal(0)
    if not str(note or "").strip():
        errors.append(FieldError("note", _("请写明评分依据")))
    checked = None
    if evidence is not None:
        try:
            checked = upload_check(evidence, field="evidence")
        except UploadRefused as exc:
            errors.append(exc.error)
    if errors:
        raise InvalidInput(errors=errors)
    score = ManualScore.objects.select_for_update().filter(item=item, unit=unit).first()
    before = None if score is None else str(score.points)
    if score is None:
        score = ManualScore(item=item, unit=unit)
    else:
        score.version += 1
    score.points, score.note, score.scored_by = value, str(note).strip(), _who(actor)
    if checked is not None:
        score.evidence.save(checked.filename, checked.as_file(), save=False)
        score.evidence_type = checked.content_type
    score.save()
    audit_record(
        actor=actor,
        action="assessment.manual_score",
        target=plan,
        reason=score.note,
        extra={
            "item": item.code,
            "unit": unit.pk,
            "points": str(value),
            "before": before,
            "evidence": checked.sha256 if checked is not None else None,
        },
    )
    return score


@transaction.atomic
def assessment_submit(*, plan: AssessmentPlan, actor: Any) -> AssessmentPlan:
    """Freeze every unit's result as the records stand and send the plan for approval."""
    aa.require(actor, "submit", plan)
    _bump(plan, S.DRAFT, S.SUBMITTED, submitted_at=timezone.now(), submitted_by=_who(actor))
    rows = a.live_rows(plan, plan.jurisdiction, plan.year)
    AssessmentResult.objects.bulk_create(
        AssessmentResult(
            plan=plan,
            unit=r.unit,
            scores=r.scores,
            figures=r.figures,
            total=Decimal(str(r.total)),
            rank=r.rank,
            remarks=r.remarks,
        )
        for r in rows
    )
    audit_record(
        actor=actor,
        action="assessment.submit",
        target=plan,
        from_state=S.DRAFT,
        to_state=S.SUBMITTED,
        extra={"units": len(rows)},
    )
    return plan


@transaction.atomic
def assessment_return(*, plan: AssessmentPlan, reason: str, actor: Any) -> AssessmentPlan:
    """The convener sends it back to the office; the frozen rows are dropped."""
    aa.require(actor, "return", plan)
    if not str(reason or "").strip():
        raise InvalidInput(errors=[FieldError("reason", _("请写明退回理由"))])
    _bump(plan, S.SUBMITTED, S.DRAFT, submitted_at=None, submitted_by=None)
    plan.results.all().delete()
    audit_record(
        actor=actor,
        action="assessment.return",
        target=plan,
        from_state=S.SUBMITTED,
        to_state=S.DRAFT,
        reason=str(reason).strip(),
    )
    return plan


@transaction.atomic
def assessment_approve(*, plan: AssessmentPlan, actor: Any) -> AssessmentPlan:
    """The convener approves the submitted results; they stay as frozen at submission."""
    aa.require(actor, "approve", plan)
    _bump(plan, S.SUBMITTED, S.APPROVED, approved_at=timezone.now(), approved_by=_who(actor))
    audit_record(
        actor=actor,
        action="assessment.approve",
        target=plan,
        from_state=S.SUBMITTED,
        to_state=S.APPROVED,
        extra={"units": plan.results.count()},
    )
    return plan

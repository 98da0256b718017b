"""The democratic appraisal of the three parties (002 (四)): the campaign, the street's
score standard, one-time rater codes, sheets, results, the publication period with its
objections, and the street's approval, which feeds the companies' credit records."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import access as credit_access
from gongzhi.appraisal import review_access as ra
from gongzhi.appraisal.models import (
    Campaign,
    CreditRecord,
    RaterCode,
    ReviewItem,
    ReviewObjection,
    ReviewScore,
    ReviewSheet,
    ReviewSubject,
)
from gongzhi.appraisal.review_results import results
from gongzhi.appraisal.services.credit import expiry
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput, NotFound
from gongzhi.org.models import Estate, Jurisdiction, Unit

S = Campaign.State
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed


@dataclass
class ItemRow:
    title: str
    weight: Any
    guide: str = ""
    measure: str = ""
    row: int | None = None


def _who(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def _bump(campaign: Campaign, old: str, new: str, **fields: Any) -> None:
    done = Campaign.objects.filter(pk=campaign.pk, state=old, version=campaign.version).update(
        state=new, version=campaign.version + 1, updated_at=timezone.now(), **fields
    )
    if done != 1:
        raise Conflict(_("评议已被他人更新，请刷新"))
    campaign.refresh_from_db()


@transaction.atomic
def campaign_create(
    *,
    street: Jurisdiction,
    year: int,
    title: str = "",
    quorum: int = 1,
    objection_days: int = 7,
    actor: Any,
) -> Campaign:
    """A campaign for a street and year; its subjects are the three parties of every
    estate in the street (第二条): the community's residents' committee, the owners'
    committee and the property company, where the estate has them."""
    if not ra.manages(actor, street):
        raise ra.PermissionDenied(_("只有街道可以组织评议"))
    errors = []
    if street.level != Jurisdiction.Level.STREET:
        errors.append(FieldError("street", _("评议按街道组织")))
    if not 2000 <= year <= 2100:
        errors.append(FieldError("year", _("年度不正确")))
    if quorum < 1:
        errors.append(FieldError("quorum", _("法定评议人数至少为 1")))
    if not 1 <= objection_days <= 60:
        errors.append(FieldError("objection_days", _("公示天数应在 1 至 60 天之间")))
    if errors:
        raise InvalidInput(errors=errors)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                street=street,
                year=year,
                title=title.strip()
                or _("%(street)s %(year)s 年度三方评议") % {"street": street.name, "year": year},
                quorum=quorum,
                objection_days=objection_days,
            )
    except IntegrityError as exc:
        raise DomainError(
            _("%(street)s %(year)s 年度的评议已经建立") % {"street": street.name, "year": year},
            code="bad_state",
        ) from exc
    subjects = []
    estates = Estate.objects.filter(community__parent=street).select_related("community")
    committees = {
        u.jurisdiction_id: u
        for u in Unit.objects.filter(
            jurisdiction__parent=street, kind_id="residents_committee", is_active=True
        )
    }
    P = ReviewSubject.Party
    for estate in estates.order_by("code"):
        rc = committees.get(estate.community_id)
        for unit, party in (
            (rc, P.RESIDENTS),
            (estate.owners_committee, P.OWNERS),
            (estate.property_company, P.COMPANY),
        ):
            if unit is not None:
                subjects.append(
                    ReviewSubject(campaign=campaign, estate=estate, unit=unit, party=party)
                )
    ReviewSubject.objects.bulk_create(subjects)
    audit_record(
        actor=actor,
        action="review.create",
        target=campaign,
        to_state=campaign.state,
        extra={"subjects": len(subjects)},
    )
    return campaign


def _check_rows(rows: list[ItemRow]) -> tuple[list[FieldError], list[ReviewItem]]:
    errors: list[FieldError] = []
    items: list[ReviewItem] = []
    total = 0
    for n, r in enumerate(rows, start=1):
        at = r.row if r.row is not None else n

        def err(field: str, column: str, message: str, at: int = at) -> None:
            errors.append(FieldError(field, message, row=at, column=column))

        title = str(r.title or "").strip()
        if not title:
            err("title", "评议内容", _("不能为空"))  # i18n: data (the file's column title)
        elif len(title) > 100:
            err("title", "评议内容", _("不能超过 100 个字"))  # i18n: data (the file's column title)
        try:
            weight = int(str(r.weight).strip())
            if not 1 <= weight <= 100:
                raise ValueError
        except (TypeError, ValueError):
            err(
                "weight",
                "分值",  # i18n: data (the file's column title)
                _("应为 1 至 100 的整数，而不是“%(value)s”")
                % {"value": r.weight if r.weight is not None else ""},
            )
            weight = 0
        measure = str(r.measure or "").strip()
        if measure not in ReviewItem.Measure.values:
            allowed = _("、").join(v for v in ReviewItem.Measure.values if v)
            # i18n: data (the file's column title)
            err("measure", "系统佐证", _("应为空或 %(allowed)s") % {"allowed": allowed})
            measure = ""
        total += weight
        items.append(
            ReviewItem(
                sort=n, title=title, weight=weight, guide=str(r.guide or "")[:300], measure=measure
            )
        )
    if not rows:
        errors.append(FieldError("items", _("评分标准至少要有一项")))
    elif not errors and total != 100:
        errors.append(
            FieldError(
                "weight",
                _("各项分值合计应为 100，现为 %(total)s") % {"total": total},
                column="分值",  # i18n: data (the file's column title)
            )
        )
    return errors, items


@transaction.atomic
def review_standard_set(*, campaign: Campaign, rows: list[ItemRow], actor: Any) -> list[ReviewItem]:
    """Replace the score standard (第三条): every row checked, nothing changed on error."""
    ra.require(actor, "standard_set", campaign)
    errors, items = _check_rows(rows)
    if errors:
        raise InvalidInput(
            errors=errors, summary=_("评分标准有 %(n)s 处错误，未保存") % {"n": len(errors)}
        )
    campaign.items.all().delete()
    for item in items:
        item.campaign = campaign
    ReviewItem.objects.bulk_create(items)
    audit_record(
        actor=actor,
        action="review.standard_set",
        target=campaign,
        extra={"items": [(i.title, i.weight) for i in items]},
    )
    return list(campaign.items.all())


@transaction.atomic
def review_codes_issue(
    *, campaign: Campaign, counts: dict[str, int], actor: Any
) -> list[tuple[str, str]]:
    """New one-time codes, ``counts`` per rater group; returns (label, code) pairs to
    print: only their hashes are kept, so they are shown this once."""
    ra.require(actor, "codes_issue", campaign)
    errors = []
    for group, n in counts.items():
        if group not in RaterCode.Group.values:
            errors.append(FieldError(group, _("未知的评议人类别")))
        elif not 0 <= n <= 500:
            errors.append(FieldError(group, _("每类一次最多 500 个")))
    if not errors and sum(counts.values()) == 0:
        errors.append(FieldError("counts", _("请填写评议码数量")))
    if errors:
        raise InvalidInput(errors=errors)
    issued: list[tuple[str, str]] = []
    rows = []
    labels = dict(RaterCode.Group.choices)
    for group, n in counts.items():
        start = campaign.codes.filter(group=group).count()
        for i in range(start + 1, start + n + 1):
            raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            label = f"{labels[group]} {i:03d}"
            rows.append(
                RaterCode(campaign=campaign, group=group, label=label, code_hash=code_hash(code))
            )
            issued.append((label, code))
    RaterCode.objects.bulk_create(rows)
    audit_record(
        actor=actor, action="review.codes_issue", target=campaign, extra={"counts": counts}
    )
    return issued


@transaction.atomic
def review_open(*, campaign: Campaign, actor: Any) -> Campaign:
    ra.require(actor, "open", campaign)
    if not campaign.items.exists() or not campaign.subjects.exists():
        raise DomainError(_("请先设定评分标准；街道内没有评议对象时不能开始"), code="not_now")
    _bump(campaign, S.DRAFT, S.OPEN)
    audit_record(
        actor=actor, action="review.open", target=campaign, from_state=S.DRAFT, to_state=S.OPEN
    )
    return campaign


def rater_find(code: str) -> RaterCode:
    """The code's rater, if the code is valid for a campaign that is scoring now."""
    rater = (
        RaterCode.objects.select_related("campaign__street")
        .filter(code_hash=code_hash(code or ""))
        .first()
    )
    if rater is None or rater.campaign.state != S.OPEN:
        raise NotFound(_("评议码无效，或评议未在进行中"))
    return rater


@transaction.atomic
def review_sheet_submit(
    *, code: str, points: dict[tuple[int, int], Any], on_paper: bool = False, actor: Any = None
) -> ReviewSheet:
    """One rater's sheet: every subject scored on every item, 0 to the item's weight. The
    code is used by a conditional update (of two submissions with one code exactly one
    wins) and the sheet's one-to-one key to the code keeps it to one sheet in the DB."""
    rater = rater_find(code)
    campaign = rater.campaign
    if rater.used_at is not None:
        raise Conflict(_("该评议码已提交过评议表，每人只能提交一份"))
    items = list(campaign.items.all())
    subjects = list(campaign.subjects.select_related("estate", "unit"))
    errors: list[FieldError] = []
    scores: list[ReviewScore] = []
    for subject in subjects:
        for item in items:
            field = f"s{subject.pk}_i{item.pk}"
            raw = points.get((subject.pk, item.pk))
            try:
                value = int(str(raw).strip())
                if not 0 <= value <= item.weight:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(
                    FieldError(
                        field,
                        _("%(unit)s“%(item)s”应为 0 至 %(weight)s 分")
                        % {"unit": subject.unit.name, "item": item.title, "weight": item.weight},
                    )
                )
                continue
            scores.append(ReviewScore(subject=subject, item=item, points=value))
    if errors:
        raise InvalidInput(
            errors=errors, summary=_("评议表有 %(n)s 处未填或超出分值") % {"n": len(errors)}
        )
    now = timezone.now()
    if RaterCode.objects.filter(pk=rater.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise Conflict(_("该评议码已提交过评议表，每人只能提交一份"))
    try:
        with transaction.atomic():
            sheet = ReviewSheet.objects.create(campaign=campaign, rater=rater, on_paper=on_paper)
    except IntegrityError as exc:
        raise Conflict(_("该评议码已提交过评议表，每人只能提交一份")) from exc
    for score in scores:
        score.sheet = sheet
    ReviewScore.objects.bulk_create(scores)
    audit_record(
        actor=actor,
        action="review.sheet_submit",
        target=campaign,
        extra={"rater": rater.label, "sheet": sheet.pk, "on_paper": on_paper},
    )
    return sheet


@transaction.atomic
def review_publish(*, campaign: Campaign, actor: Any) -> Campaign:
    """Post the results in the community for objections (第五条), once the quorum is in."""
    ra.require(actor, "publish", campaign)
    sheets = campaign.sheets.count()
    if sheets < campaign.quorum:
        raise DomainError(
            _("已收回评议表 %(sheets)s 份，未达到法定人数 %(quorum)s 份，不能公示")
            % {"sheets": sheets, "quorum": campaign.quorum},
            code="not_now",
        )
    now = timezone.now()
    until = timezone.localdate() + dt.timedelta(days=campaign.objection_days)
    _bump(campaign, S.OPEN, S.PUBLISHED, published_at=now, objection_until=until)
    audit_record(
        actor=actor,
        action="review.publish",
        target=campaign,
        from_state=S.OPEN,
        to_state=S.PUBLISHED,
        extra={"sheets": sheets, "objection_until": until.isoformat()},
    )
    return campaign


@transaction.atomic
def review_objection_record(
    *,
    campaign: Campaign,
    text: str,
    subject: ReviewSubject | None = None,
    raised_by: str = "",
    actor: Any,
) -> ReviewObjection:
    ra.require(actor, "objection_record", campaign)
    errors = []
    if not text.strip():
        errors.append(FieldError("text", _("请写明异议内容")))
    if subject is not None and subject.campaign_id != campaign.pk:
        errors.append(FieldError("subject", _("评议对象不属于本次评议")))
    assert campaign.objection_until is not None
    if timezone.localdate() > campaign.objection_until:
        errors.append(
            FieldError("text", _("公示期已于 %(date)s 结束") % {"date": campaign.objection_until})
        )
    if errors:
        raise InvalidInput(errors=errors)
    objection = ReviewObjection.objects.create(
        campaign=campaign, subject=subject, text=text.strip(), raised_by=raised_by.strip()[:100]
    )
    audit_record(
        actor=actor, action="review.objection_record", target=objection, reason=objection.text
    )
    return objection


@transaction.atomic
def review_objection_answer(
    *, objection: ReviewObjection, answer: str, actor: Any
) -> ReviewObjection:
    ra.require(actor, "objection_answer", objection.campaign)
    if not answer.strip():
        raise InvalidInput(errors=[FieldError("answer", _("请填写答复"))])
    now = timezone.now()
    done = ReviewObjection.objects.filter(pk=objection.pk, answered_at__isnull=True).update(
        answer=answer.strip(), answered_at=now, answered_by=_who(actor), updated_at=now
    )
    if done != 1:
        raise Conflict(_("该异议已答复"))
    objection.refresh_from_db()
    audit_record(
        actor=actor, action="review.objection_answer", target=objection, reason=objection.answer
    )
    return objection


GOOD, PASS = 90, 60


@transaction.atomic
def review_approve(*, campaign: Campaign, actor: Any) -> Campaign:
    """The street approves once the publication period is over and every objection is
    answered; each property company graded 优秀 (≥ 90) or 不合格 (< 60) gets the credit
    record its policy gives (appraisal.good / appraisal.poor), linked to the campaign."""
    ra.require(actor, "approve", campaign)
    assert campaign.objection_until is not None
    if timezone.localdate() <= campaign.objection_until:
        raise DomainError(
            _("公示期至 %(date)s，期满后方可审定") % {"date": campaign.objection_until},
            code="not_now",
        )
    if campaign.objections.filter(answered_at__isnull=True).exists():
        raise DomainError(_("还有未答复的异议"), code="not_now")
    _bump(campaign, S.PUBLISHED, S.APPROVED, approved_at=timezone.now(), approved_by=_who(actor))
    fed = 0
    today = timezone.localdate()
    for row in results(campaign):
        subject = row.subject
        if subject.party != ReviewSubject.Party.COMPANY:
            continue
        code = (
            "appraisal.good" if row.score >= GOOD else "appraisal.poor" if row.score < PASS else ""
        )
        policy = credit_access.policy_for(subject.unit) if code else None
        rule = policy.rules.filter(code=code).first() if policy else None
        if rule is None or policy is None:
            continue
        record = CreditRecord.objects.create(
            company=subject.unit,
            rule=rule,
            points=rule.points,
            occurred_on=today,
            expires_on=expiry(rule, today, policy.period),
            source_ref=_("%(title)s（%(estate)s，%(score)s 分）")
            % {"title": campaign.title, "estate": subject.estate.name, "score": row.score},
            note=_("三方评议 %(grade)s") % {"grade": row.grade},
            recorded_by=_who(actor),
            key=f"review:{campaign.pk}:{subject.pk}",
        )
        audit_record(
            actor=actor,
            action="appraisal.record_add",
            target=record,
            to_state=record.state,
            extra={"rule": rule.code, "campaign": campaign.pk},
        )
        fed += 1
    audit_record(
        actor=actor,
        action="review.approve",
        target=campaign,
        from_state=S.PUBLISHED,
        to_state=S.APPROVED,
        extra={"credit_records": fed},
    )
    return campaign

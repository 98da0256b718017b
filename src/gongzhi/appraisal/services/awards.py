"""The yearly lists for the leaders (004 四): proposed commendations (评先创优, 四(三):
departments and units that did well) and accountability cases (四(一): 推诿扯皮 or 拖延不办
that caused a collective petition or serious consequences), each with the records it rests
on; the leaders adopt or reject each, with a note. The software proposes; it never decides.

Sources of a proposed commendation in a year: the top ``AWARD_TOP`` ranked units of each
published social rating of the jurisdiction's area that ended in the year; the companies
the credit ranking rewarded (CreditStanding ``reward``); the subjects graded 优秀 in an
approved democratic appraisal. Sources of an accountability case: the delay and
buck-passing records of the year (cases.Accountability) whose case shows what 四(一) names:
the matter was raised again (another call, a merged duplicate), reopened, escalated, or
urgent. Generating again adds only what is new (each proposal has a key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import social_access as sa
from gongzhi.appraisal.models import (
    Campaign,
    CreditStanding,
    Proposal,
    SatisfactionPeriod,
)
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, FieldError, InvalidInput
from gongzhi.org.models import Jurisdiction, Unit

AWARD_TOP = 3  # 004 四(三) names no number; the top three of each rating are proposed


@dataclass
class Draft:
    kind: str
    unit: Unit
    key: str
    basis: str
    evidence: list[dict[str, str]]


def _from_satisfaction(jurisdiction: Jurisdiction, year: int) -> list[Draft]:
    from gongzhi.appraisal.social_results import results

    found = []
    periods = SatisfactionPeriod.objects.filter(
        jurisdiction__path__startswith=jurisdiction.path,
        published_at__isnull=False,
        ends_on__year=year,
    )
    for period in periods:
        for r in results(period):
            if r.rank is None or r.rank > AWARD_TOP:
                continue
            found.append(
                Draft(
                    Proposal.Kind.AWARD,
                    r.unit,
                    f"satisfaction:{period.pk}:{r.unit.pk}",
                    _("%(title)s 第 %(rank)s 名，满意率 %(rate)s%%")
                    % {"title": period.title, "rank": r.rank, "rate": r.rate},
                    [
                        {
                            "label": period.title,
                            "url": f"/appraisal/satisfaction/{period.pk}/results/",
                        }
                    ],
                )
            )
    return found


def _from_credit(jurisdiction: Jurisdiction, year: int) -> list[Draft]:
    standings = CreditStanding.objects.filter(
        kind=CreditStanding.Kind.REWARD,
        close__policy__jurisdiction__path__startswith=jurisdiction.path,
        starts_on__year=year,
    ).select_related("company", "close")
    return [
        Draft(
            Proposal.Kind.AWARD,
            s.company,
            f"credit:{s.pk}",
            _("信用考评连续 %(n)s 期位列红榜（%(periods)s），拟奖励 %(amount)s 元")
            % {"n": len(s.periods), "periods": "、".join(s.periods), "amount": s.amount},
            [
                {"label": p, "url": f"/appraisal/credit/{s.company_id}/?period={p}"}
                for p in s.periods
            ],
        )
        for s in standings
    ]


def _from_reviews(jurisdiction: Jurisdiction, year: int) -> list[Draft]:
    from gongzhi.appraisal.review_results import results

    found = []
    campaigns = Campaign.objects.filter(
        street__path__startswith=jurisdiction.path, year=year, state=Campaign.State.APPROVED
    )
    for campaign in campaigns:
        for r in results(campaign):
            if r.score >= 90:
                found.append(
                    Draft(
                        Proposal.Kind.AWARD,
                        r.subject.unit,
                        f"review:{r.subject.pk}",
                        _("%(title)s 评为优秀（%(score)s 分）")
                        % {"title": campaign.title, "score": r.score},
                        [
                            {
                                "label": campaign.title,
                                "url": f"/appraisal/reviews/{campaign.pk}/results/",
                            }
                        ],
                    )
                )
    return found


def _from_accountability(jurisdiction: Jurisdiction, year: int) -> list[Draft]:
    from gongzhi.cases.models import Accountability

    records = (
        Accountability.objects.filter(
            case__area_path__startswith=jurisdiction.path,
            kind__in=(Accountability.Kind.DELAY, Accountability.Kind.BUCK_PASSING),
            created_at__year=year,
        )
        .select_related("unit", "case")
        .annotate(
            calls=Count("case__calls", distinct=True),
            merged=Count("case__merged_cases", distinct=True),
        )
        .filter(
            Q(calls__gt=0)
            | Q(merged__gt=0)
            | Q(case__reopen_count__gt=0)
            | Q(case__escalation_count__gt=0)
            | Q(case__urgency="urgent")
        )
        .order_by("created_at", "pk")
    )
    found = []
    for acc in records:
        case = acc.case
        why = []
        if acc.calls or acc.merged:  # type: ignore[attr-defined]
            why.append(
                _("群众重复反映 %(n)s 次") % {"n": acc.calls + acc.merged}  # type: ignore[attr-defined]
            )
        if case.reopen_count:
            why.append(_("重办 %(n)s 次") % {"n": case.reopen_count})
        if case.escalation_count:
            why.append(_("上报 %(n)s 次") % {"n": case.escalation_count})
        if case.urgency == "urgent":
            why.append(_("紧急诉求"))
        found.append(
            Draft(
                Proposal.Kind.ACCOUNTABILITY,
                acc.unit,
                f"acc:{acc.pk}",
                _("%(kind)s：%(reason)s（%(why)s）")
                % {"kind": acc.get_kind_display(), "reason": acc.reason, "why": "；".join(why)},
                [{"label": case.number, "url": f"/cases/{case.number}/"}],
            )
        )
    return found


@transaction.atomic
def proposals_generate(*, jurisdiction: Jurisdiction, year: int, actor: Any) -> list[Proposal]:
    """Add this year's new proposals; those already listed (and decided) stay as they are."""
    sa.require(actor, "proposals_generate", jurisdiction)
    if not 2000 <= year <= 2100:
        raise InvalidInput(errors=[FieldError("year", _("年度不正确"))])
    drafts = (
        _from_satisfaction(jurisdiction, year)
        + _from_credit(jurisdiction, year)
        + _from_reviews(jurisdiction, year)
        + _from_accountability(jurisdiction, year)
    )
    have = set(
        Proposal.objects.filter(jurisdiction=jurisdiction, year=year).values_list("kind", "key")
    )
    new = [
        Proposal(
            jurisdiction=jurisdiction,
            year=year,
            kind=d.kind,
            unit=d.unit,
            key=d.key,
            basis=d.basis[:200],
            evidence=d.evidence,
        )
        for d in drafts
        if (d.kind, d.key) not in have
    ]
    try:
        with transaction.atomic():
            made = Proposal.objects.bulk_create(new)
    except IntegrityError as exc:  # generated by someone else at the same moment
        raise Conflict(_("名单正在由他人生成，请刷新后再试")) from exc
    audit_record(
        actor=actor,
        action="appraisal.proposals_generate",
        target=jurisdiction,
        extra={"year": year, "added": len(made)},
    )
    return made


@transaction.atomic
def proposal_decide(*, proposal: Proposal, adopted: bool, note: str, actor: Any) -> Proposal:
    sa.require(actor, "proposal_decide", proposal)
    if not adopted and not note.strip():
        raise InvalidInput(errors=[FieldError("note", _("不采纳时请写明理由"))])
    state = Proposal.State.ADOPTED if adopted else Proposal.State.REJECTED
    now = timezone.now()
    by = actor if actor is not None and actor.is_authenticated else None
    done = Proposal.objects.filter(pk=proposal.pk, state=Proposal.State.PROPOSED).update(
        state=state, note=note.strip(), decided_at=now, decided_by=by
    )
    if not done:
        raise Conflict(_("该建议已作出决定"))
    proposal.refresh_from_db()
    audit_record(
        actor=actor,
        action="appraisal.proposal_decide",
        target=proposal,
        from_state=Proposal.State.PROPOSED,
        to_state=state,
        reason=proposal.note,
        extra={"kind": proposal.kind, "unit": proposal.unit.code, "year": proposal.year},
    )
    return proposal

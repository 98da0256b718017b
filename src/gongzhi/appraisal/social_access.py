"""Who may read and act on the social rating (004 四(二)) and on the yearly lists of
proposed awards and accountability cases (004 四(一)(三)).

- Reading a period's live results, a year's lists: office staff, conveners and auditors
  of the jurisdiction or above (``scope.oversight_q``); the other county sees nothing
  (404).
- ``satisfaction_create``, ``satisfaction_publish``, ``proposals_generate``: office staff
  of the jurisdiction or above (the joint-conference office runs the rating and prepares
  the lists; 004 四(二)(三)).
- ``proposal_decide``: the leaders, i.e. the conveners of the joint conference of the
  jurisdiction or above (004 四(一): responsibility is pursued by the leaders; 四(三):
  the commendation is decided, not computed).
- The survey and the published results are public: unit names and rates, never a
  resident's data; the survey needs no account, one verified phone number per vote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal.models import Proposal, SatisfactionPeriod
from gongzhi.common.errors import DomainError, NotFound, PermissionDenied
from gongzhi.org.models import Jurisdiction
from gongzhi.org.permissions import scope_for


def readable_periods(user: Any) -> QuerySet[SatisfactionPeriod]:
    scope = scope_for(user)
    qs = SatisfactionPeriod.objects.select_related("jurisdiction")
    if not scope.is_authenticated:
        return qs.none()
    return qs.filter(scope.oversight_q("jurisdiction__path"))


def period_for(user: Any, pk: int) -> SatisfactionPeriod:
    found = readable_periods(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("评议不存在或无权查看"))
    return found


def public_period(pk: int) -> SatisfactionPeriod:
    found = (
        SatisfactionPeriod.objects.select_related("jurisdiction")
        .filter(pk=pk, published_at__isnull=False)
        .first()
    )
    if found is None:
        raise NotFound(_("评议结果尚未公布"))
    return found


def survey_period(pk: int) -> SatisfactionPeriod:
    found = (
        SatisfactionPeriod.objects.select_related("jurisdiction").filter(pk=pk, survey=True).first()
    )
    if found is None:
        raise NotFound(_("没有这项问卷"))
    return found


def survey_refusal(period: SatisfactionPeriod, now: dt.datetime) -> DomainError | None:
    today = timezone.localdate(now)
    if not period.survey:
        return NotFound(_("没有这项问卷"))
    if period.published_at is not None or today > period.ends_on:
        return DomainError(_("问卷已结束"), code="not_now")
    if today < period.starts_on:
        return DomainError(_("问卷尚未开始"), code="not_now")
    return None


def require_survey_open(period: SatisfactionPeriod, now: dt.datetime) -> None:
    error = survey_refusal(period, now)
    if error is not None:
        raise error


def survey_limited(request: Any, kind: str) -> bool:
    """Count one survey request (``kind``: code or vote) of the client; True when over
    ``GONGZHI_SURVEY_PER_CLIENT_HOUR``. The page and the API count together."""
    from django.conf import settings

    from gongzhi.common.ratelimit import client_address, rate_limit_hit

    return rate_limit_hit(
        scope=f"survey-{kind}",
        who=client_address(request),
        limit=int(getattr(settings, "GONGZHI_SURVEY_PER_CLIENT_HOUR", 30)),
        window_seconds=3600,
    )


def jurisdiction_for(user: Any, code: str) -> Jurisdiction:
    """A jurisdiction whose lists the account may read, or NotFound."""
    found = Jurisdiction.objects.filter(code=code[:20]).first()
    if found is None or not scope_for(user).reads_jurisdiction(found):
        raise NotFound(_("辖区不存在或无权查看"))
    return found


def reader_roots(user: Any) -> list[Jurisdiction]:
    """The top jurisdictions whose lists the account reads (for the pages' links)."""
    scope = scope_for(user)
    if scope.is_admin:
        return list(Jurisdiction.objects.filter(level=Jurisdiction.Level.COUNTY))
    paths = scope.office_paths + scope.convener_paths + scope.auditor_paths
    return list(Jurisdiction.objects.filter(path__in=paths).order_by("path"))


def proposals_readable(user: Any) -> QuerySet[Proposal]:
    scope = scope_for(user)
    qs = Proposal.objects.select_related("jurisdiction", "unit", "decided_by")
    if not scope.is_authenticated:
        return qs.none()
    return qs.filter(scope.oversight_q("jurisdiction__path"))


def proposal_for(user: Any, pk: int) -> Proposal:
    found = proposals_readable(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("建议不存在或无权查看"))
    return found


# --- acting ----------------------------------------------------------------------------


def manages(user: Any, jurisdiction: Jurisdiction) -> bool:
    return user is None or scope_for(user).manages_jurisdiction(jurisdiction)


def _refuse_create(user: Any, jurisdiction: Jurisdiction) -> DomainError | None:
    if not manages(user, jurisdiction):
        return PermissionDenied(_("只有联席会议办公室可以组织评议"))
    return None


def _refuse_publish(user: Any, period: SatisfactionPeriod) -> DomainError | None:
    if not manages(user, period.jurisdiction):
        return PermissionDenied(_("只有联席会议办公室可以公布结果"))
    if period.published_at is not None:
        return DomainError(_("结果已公布"), code="bad_state")
    if timezone.localdate() <= period.ends_on:
        return DomainError(_("评议期结束后方可公布结果"), code="not_now")
    return None


def _refuse_generate(user: Any, jurisdiction: Jurisdiction) -> DomainError | None:
    if not manages(user, jurisdiction):
        return PermissionDenied(_("只有联席会议办公室可以生成建议名单"))
    return None


def _refuse_decide(user: Any, proposal: Proposal) -> DomainError | None:
    if user is not None and not scope_for(user).convenes_jurisdiction(proposal.jurisdiction):
        return PermissionDenied(_("只有联席会议召集人可以作出决定"))
    if proposal.state != Proposal.State.PROPOSED:
        return DomainError(_("该建议已作出决定"), code="bad_state")
    return None


RULES: dict[str, Callable[[Any, Any], DomainError | None]] = {
    "satisfaction_create": _refuse_create,
    "satisfaction_publish": _refuse_publish,
    "proposals_generate": _refuse_generate,
    "proposal_decide": _refuse_decide,
}


def refusal(user: Any, name: str, obj: Any) -> DomainError | None:
    return RULES[name](user, obj)


def require(user: Any, name: str, obj: Any) -> None:
    error = refusal(user, name, obj)
    if error is not None:
        raise error


def allowed(user: Any, name: str, obj: Any) -> bool:
    return refusal(user, name, obj) is None

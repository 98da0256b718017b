"""Who may read and act on a democratic appraisal (002 (四)). The street organises it
(第一条: the street party working committee; 第三条: the street sets the standard; 第五条:
the street approves): office staff of the street or above, and the street office's own
accounts. Readers: those, and conveners and auditors of the street or above. Raters need
no account: a one-time code is their right to one sheet. The results are public once
posted (names of units and scores only)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.appraisal.models import Campaign, ReviewObjection
from gongzhi.common.errors import DomainError, NotFound, PermissionDenied
from gongzhi.org import kinds
from gongzhi.org.models import Jurisdiction, Unit
from gongzhi.org.permissions import scope_for

S = Campaign.State


def street_units(street: Jurisdiction) -> QuerySet[Unit]:
    return Unit.objects.filter(
        jurisdiction=street, kind_id__in=kinds.kinds_with(kinds.STREET_LEVEL)
    )


def manages(user: Any, street: Jurisdiction) -> bool:
    if user is None:
        return True
    scope = scope_for(user)
    if scope.manages_jurisdiction(street):
        return True
    return any(scope.in_unit(u.pk) for u in street_units(street))


def readable_campaigns(user: Any) -> QuerySet[Campaign]:
    scope = scope_for(user)
    qs = Campaign.objects.select_related("street")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    own_streets = Unit.objects.filter(
        pk__in=scope.unit_ids, kind_id__in=kinds.kinds_with(kinds.STREET_LEVEL)
    ).values("jurisdiction_id")
    return qs.filter(Q(street_id__in=own_streets) | scope.oversight_q("street__path"))


def campaign_for(user: Any, pk: int) -> Campaign:
    found = readable_campaigns(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("评议不存在或无权查看"))
    return found


def objection_for(user: Any, pk: int) -> ReviewObjection:
    found = (
        ReviewObjection.objects.select_related("campaign__street")
        .filter(pk=pk, campaign__in=readable_campaigns(user))
        .first()
    )
    if found is None:
        raise NotFound(_("异议不存在或无权查看"))
    return found


def public_campaign(pk: int) -> Campaign:
    found = (
        Campaign.objects.select_related("street")
        .filter(pk=pk, state__in=(S.PUBLISHED, S.APPROVED))
        .first()
    )
    if found is None:
        raise NotFound(_("评议结果尚未公示"))
    return found


# When each action may be taken (the state), beside who (``manages``).
WHEN: dict[str, tuple[str, ...]] = {
    "standard_set": (S.DRAFT,),
    "report_attach": (S.DRAFT, S.OPEN),
    "codes_issue": (S.DRAFT, S.OPEN),
    "open": (S.DRAFT,),
    "publish": (S.OPEN,),
    "objection_record": (S.PUBLISHED,),
    "objection_answer": (S.PUBLISHED,),
    "approve": (S.PUBLISHED,),
}


def refusal(user: Any, name: str, campaign: Campaign) -> DomainError | None:
    if not manages(user, campaign.street):
        return PermissionDenied(_("只有街道可以组织评议"))
    if campaign.state not in WHEN[name]:
        return DomainError(
            _("评议%(state)s，不能进行此操作") % {"state": campaign.get_state_display()},
            code="bad_state",
        )
    return None


def require(user: Any, name: str, campaign: Campaign) -> None:
    error = refusal(user, name, campaign)
    if error is not None:
        raise error


def offered(user: Any, campaign: Campaign) -> list[str]:
    return [name for name in WHEN if refusal(user, name, campaign) is None]

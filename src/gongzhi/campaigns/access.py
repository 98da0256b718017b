"""Who may do what with a rectification campaign (002's covering notice). Every door (page,
API, export, template, command) asks here; nothing else decides.

- The office (联席会议办公室) of the campaign's jurisdiction, or of one above it, starts
  and manages it: edits its form, sees every return, exports.
- A street office fills the survey for every estate of its street and files the street's
  progress reports; a residents' committee fills the survey for the estates of its
  community (the covering notice: 指导村(居)民委员会对本辖区住宅小区开展摸排).
- Conveners and auditors over the jurisdiction read the returns.
- Anyone else, and everyone of another county, gets "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.campaigns.models import Campaign, ProgressReport, Survey
from gongzhi.common.errors import NotFound, PermissionDenied
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Jurisdiction, Unit
from gongzhi.org.permissions import scope_for


def _filler_units(user: Any) -> list[tuple[Unit, bool]]:
    """The user's street offices (True) and residents' committees (False)."""
    scope = scope_for(user)
    if not scope.unit_ids:
        return []
    street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
    rc_kinds = kinds.kinds_with(kinds.READS_AREA) - street_kinds
    found = []
    units = Unit.objects.filter(pk__in=sorted(scope.unit_ids), is_active=True)
    for unit in units.select_related("jurisdiction"):
        if unit.kind_id in street_kinds:
            found.append((unit, True))
        elif unit.kind_id in rc_kinds:
            found.append((unit, False))
    return found


def readable_campaigns(user: Any) -> QuerySet[Campaign]:
    """Campaigns over the user's oversight or over the area of one of their street offices
    or residents' committees; scoped first."""
    scope = scope_for(user)
    qs = Campaign.objects.select_related("jurisdiction")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    q = scope.oversight_q("jurisdiction__path")
    codes: set[str] = set()
    for unit, _street in _filler_units(user):
        codes.update(unit.jurisdiction.ancestor_codes())
    if codes:
        q |= Q(jurisdiction__code__in=sorted(codes))
    return qs.filter(q)


def campaign_for(user: Any, pk: Any) -> Campaign:
    try:
        found = readable_campaigns(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        raise NotFound(_("未找到，或无权查看"))
    return found


def can_start(user: Any, jurisdiction: Jurisdiction) -> bool:
    return scope_for(user).manages_jurisdiction(jurisdiction)


def require_start(user: Any, jurisdiction: Jurisdiction) -> None:
    if not can_start(user, jurisdiction):
        raise PermissionDenied(_("只有该辖区的联席会议办公室可以发起专项整治"))


def startable_jurisdictions(user: Any) -> QuerySet[Jurisdiction]:
    """Where the user may start a campaign (the start form's choices): the jurisdictions
    they manage as office staff, down to the streets."""
    scope = scope_for(user)
    below = [Jurisdiction.Level.COMMUNITY, Jurisdiction.Level.VILLAGE]
    qs = Jurisdiction.objects.exclude(level__in=below)
    if scope.is_admin:
        return qs
    q = Q(pk__in=[])
    for root in scope.office_paths:
        q |= Q(path__startswith=root)
    return qs.filter(q)


def manages(user: Any, campaign: Campaign) -> bool:
    return scope_for(user).manages_jurisdiction(campaign.jurisdiction)


def require_manage(user: Any, campaign: Campaign) -> None:
    if not manages(user, campaign):
        raise PermissionDenied(_("只有发起专项整治的联席会议办公室可以修改"))


def reads_all(user: Any, campaign: Campaign) -> bool:
    """The office, conveners and auditors over the campaign see every street's returns."""
    return scope_for(user).reads_jurisdiction(campaign.jurisdiction)


def campaign_estates(campaign: Campaign) -> QuerySet[Estate]:
    return Estate.objects.filter(
        community__path__startswith=campaign.jurisdiction.path
    ).select_related("community__parent")


def fillable_estates(user: Any, campaign: Campaign) -> QuerySet[Estate]:
    """Estates of the campaign whose survey ``user`` may fill: the office any; a street
    office those of its street; a residents' committee those of its community."""
    qs = campaign_estates(campaign)
    if manages(user, campaign):
        return qs
    q = Q(pk__in=[])
    for unit, street in _filler_units(user):
        if street:
            q |= Q(community__path__startswith=unit.jurisdiction.path)
        else:
            q |= Q(community_id=unit.jurisdiction_id)
    return qs.filter(q)


def can_fill(user: Any, campaign: Campaign) -> bool:
    return fillable_estates(user, campaign).exists()


def filler_unit(user: Any, estate: Estate) -> Unit | None:
    """The unit recorded as having filled ``estate``'s survey (None for the office)."""
    for unit, street in _filler_units(user):
        if (street and estate.community.path.startswith(unit.jurisdiction.path)) or (
            not street and estate.community_id == unit.jurisdiction_id
        ):
            return unit
    return None


def require_fill(user: Any, campaign: Campaign, estate: Estate) -> Unit | None:
    if not fillable_estates(user, campaign).filter(pk=estate.pk).exists():
        raise PermissionDenied(_("无权填报%(estate)s的摸排认定表") % {"estate": estate.name})
    return filler_unit(user, estate)


def readable_surveys(user: Any, campaign: Campaign) -> QuerySet[Survey]:
    qs = campaign.surveys.select_related("estate__community__parent", "unit")
    if reads_all(user, campaign):
        return qs
    return qs.filter(estate__in=fillable_estates(user, campaign))


def campaign_streets(campaign: Campaign) -> QuerySet[Jurisdiction]:
    """The streets (and towns) at or under the campaign's jurisdiction."""
    return Jurisdiction.objects.filter(
        path__startswith=campaign.jurisdiction.path,
        level__in=[Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN],
    )


def reporting_streets(user: Any, campaign: Campaign) -> list[tuple[Jurisdiction, Unit | None]]:
    """The streets for which ``user`` files progress reports, with the street office
    recorded as filing: a street office its own street; the office any street of the
    campaign (a report received on paper, entered for the street)."""
    streets = list(campaign_streets(campaign))
    if manages(user, campaign):
        street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
        offices = {
            u.jurisdiction_id: u
            for u in Unit.objects.filter(
                jurisdiction__in=streets, kind_id__in=sorted(street_kinds), is_active=True
            )
        }
        return [(j, offices.get(j.pk)) for j in streets]
    ids = {j.pk for j in streets}
    return [
        (unit.jurisdiction, unit)
        for unit, street in _filler_units(user)
        if street and unit.jurisdiction_id in ids
    ]


def require_report(user: Any, campaign: Campaign, street: Jurisdiction) -> Unit | None:
    for j, unit in reporting_streets(user, campaign):
        if j.pk == street.pk:
            return unit
    raise PermissionDenied(_("只有该街道办事处可以报送本街道的整治进展"))


def readable_reports(user: Any, campaign: Campaign) -> QuerySet[ProgressReport]:
    qs = campaign.reports.select_related("street", "unit")
    if reads_all(user, campaign):
        return qs
    return qs.filter(street_id__in=[j.pk for j, _u in reporting_streets(user, campaign)])

"""Who may do what with the three parties' notices (002 (三)第一、二条).

Reading the board is public. Publishing, replacing and withdrawing an estate's notice is
for the party concerned — the staff of the estate's property company, the members of its
owners' committee, the residents' committee of its community — and, for any party, for the
street office above the estate and the joint-conference office that manages it. Every door
(page, API, command) asks here; nothing else decides."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.common.errors import PermissionDenied
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Unit
from gongzhi.org.permissions import scope_for
from gongzhi.parties.models import Notice, Party

ABOVE = (Party.STREET, Party.OFFICE)


def _residents_committee_kinds() -> frozenset[str]:
    return kinds.kinds_with(kinds.READS_AREA) - kinds.kinds_with(kinds.STREET_LEVEL)


def party_units(estate: Estate) -> dict[str, list[int]]:
    """The units that speak for each party of ``estate``."""
    found: dict[str, list[int]] = {p.value: [] for p in Party if p != Party.OFFICE}
    if estate.property_company_id:
        found[Party.PROPERTY_COMPANY].append(estate.property_company_id)
    if estate.owners_committee_id:
        found[Party.OWNERS_COMMITTEE].append(estate.owners_committee_id)
    local = Unit.objects.filter(
        is_active=True,
        jurisdiction__code__in=estate.community.ancestor_codes(),
        estate__isnull=True,
    ).values_list("pk", "kind_id", "jurisdiction_id")
    street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
    rc_kinds = _residents_committee_kinds()
    for pk, kind, jurisdiction_id in local:
        if kind in street_kinds:
            found[Party.STREET].append(pk)
        elif kind in rc_kinds and jurisdiction_id == estate.community_id:
            found[Party.RESIDENTS_COMMITTEE].append(pk)
    return found


def standing(user: Any, estate: Estate) -> dict[str, Unit | None]:
    """The parties ``user`` may publish for on ``estate``, each with the unit recorded as
    publisher (None for the office)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return {}
    result: dict[str, Unit | None] = {}
    units = party_units(estate)
    mine: dict[str, int] = {}
    for party, ids in units.items():
        for pk in ids:
            if scope.in_unit(pk):
                mine.setdefault(party, pk)
    by_pk = Unit.objects.in_bulk(list(mine.values()))
    for party, pk in mine.items():
        result[party] = by_pk[pk]
    above: Unit | None = None
    if Party.STREET in mine:
        above = by_pk[mine[Party.STREET]]
    if scope.manages_jurisdiction(estate.community) or Party.STREET in mine:
        for party in Party:
            if party == Party.OFFICE and not scope.manages_jurisdiction(estate.community):
                continue
            result.setdefault(party.value, above)
    return result


def can_publish(user: Any, estate: Estate, party: str | None = None) -> bool:
    got = standing(user, estate)
    return bool(got) if party is None else party in got


def require_publish(user: Any, estate: Estate, party: str) -> Unit | None:
    """The unit to record as publisher; PermissionDenied when the actor may not."""
    got = standing(user, estate)
    if party not in got:
        raise PermissionDenied(
            f"无权以“{Party(party).label}”的名义在{estate.name}发布或更新公示"
            if party in Party.values
            else "无权发布公示"
        )
    return got[party]


def require_change(user: Any, notice: Notice) -> Unit | None:
    return require_publish(user, notice.estate, notice.party)


def publishing_estates(user: Any) -> QuerySet[Estate]:
    """Estates on whose board ``user`` may publish something (a list for their page):
    scoped first by the units and jurisdictions the account holds."""
    scope = scope_for(user)
    qs = Estate.objects.select_related("community", "property_company", "owners_committee")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    q = Q(pk__in=[])
    for path in scope.office_paths:
        q |= Q(community__path__startswith=path)
    if scope.unit_ids:
        q |= Q(property_company_id__in=scope.unit_ids) | Q(owners_committee_id__in=scope.unit_ids)
        units = Unit.objects.filter(pk__in=scope.unit_ids).select_related("jurisdiction")
        street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
        rc_kinds = _residents_committee_kinds()
        for unit in units:
            if unit.kind_id in street_kinds:
                q |= Q(community__path__startswith=unit.jurisdiction.path)
            elif unit.kind_id in rc_kinds:
                q |= Q(community_id=unit.jurisdiction_id)
    return qs.filter(q)

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.org.models import BodyMember, Estate, Jurisdiction, Post, Unit, UnitKind


def jurisdiction_ancestors(node: Jurisdiction) -> list[Jurisdiction]:
    """From the root down to and including ``node``, in one query."""
    codes = node.ancestor_codes()
    by_code = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def jurisdiction_subtree(node: Jurisdiction) -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.filter(path__startswith=node.path)


def _current(qs: QuerySet, on: dt.date | None) -> QuerySet:
    day = on or timezone.localdate()
    return qs.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


def unit_current_posts(unit: Unit, *, on: dt.date | None = None) -> QuerySet[Post]:
    return _current(unit.posts.select_related("person"), on)


def unit_post_holder(unit: Unit, role: str, *, on: dt.date | None = None) -> Post | None:
    return unit_current_posts(unit, on=on).filter(role=role).order_by("-start_date").first()


def unit_post_history(unit: Unit) -> QuerySet[Post]:
    return unit.posts.select_related("person").order_by("role", "-start_date")


def body_current_members(body_id: int, *, on: dt.date | None = None) -> QuerySet[BodyMember]:
    qs = BodyMember.objects.filter(body_id=body_id).select_related("unit", "person")
    return _current(qs, on)


def estate_units_nearby(estate: Estate) -> QuerySet[Unit]:
    """The units serving an estate: every active unit whose jurisdiction is on the
    estate's path up to the root, except the property companies and committees of other
    estates, and the estate's own parties."""
    codes = estate.community.ancestor_codes()
    own = Q(estate=estate)
    for pk in (estate.property_company_id, estate.owners_committee_id):
        if pk:
            own |= Q(pk=pk)
    area = Q(jurisdiction__code__in=codes, estate__isnull=True) & ~Q(
        kind__group=UnitKind.Group.THREE_PARTY
    )
    return (
        Unit.objects.filter(is_active=True)
        .filter(area | own)
        .select_related("kind", "jurisdiction")
    )

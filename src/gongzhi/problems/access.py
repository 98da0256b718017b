"""Who reads and acts on an estate's problems and early-intervention matters (002 (二)).

The sides a user stands on for an estate:

- ``three_party``  a member of the estate's property company, owners' committee, estate
                   committee (环物委) or the residents' committee of its community;
- ``rc``           the residents' committee of the community (it coordinates, 第二、三条,
                   and runs the three parties' conference office, (一)第四条);
- ``street``       the street office (or town) above the estate;
- ``office``       the joint-conference office that manages the estate's jurisdiction.

Readers: everyone on a side, and the conveners and auditors over the jurisdiction (read
only). A user of another county reads nothing: every door answers 404. Every door (page,
API, board, demo) asks here; workflow.py says which side may make which move."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.common.errors import NotFound, PermissionDenied
from gongzhi.org.models import Estate, Unit
from gongzhi.org.permissions import scope_for
from gongzhi.parties import access as parties_access
from gongzhi.parties.models import Party
from gongzhi.problems.models import EarlyMatter, Problem

SIDES = ("three_party", "rc", "street", "office")
THREE = (Party.PROPERTY_COMPANY, Party.OWNERS_COMMITTEE, Party.RESIDENTS_COMMITTEE)


def estate_committees(estate: Estate) -> list[int]:
    return list(
        Unit.objects.filter(estate=estate, kind_id="estate_committee", is_active=True).values_list(
            "pk", flat=True
        )
    )


def sides(user: Any, estate: Estate) -> dict[str, Unit | None]:
    """The sides ``user`` stands on for ``estate``, each with the unit to record as actor
    (None for the office)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return {}
    own = parties_access.own_parties(user, estate)
    found: dict[str, Unit | None] = {}
    for party in THREE:
        if party in own:
            found.setdefault("three_party", own[party])
    if "three_party" not in found:
        for pk in estate_committees(estate):
            if scope.in_unit(pk):
                found["three_party"] = Unit.objects.get(pk=pk)
                break
    if Party.RESIDENTS_COMMITTEE in own:
        found["rc"] = own[Party.RESIDENTS_COMMITTEE]
    if Party.STREET in own:
        found["street"] = own[Party.STREET]
    if scope.manages_jurisdiction(estate.community):
        found["office"] = None
    return found


def acting_unit(user: Any, estate: Estate, allowed: tuple[str, ...]) -> Unit | None:
    """The unit recorded for ``user`` acting on one of ``allowed``; PermissionDenied when
    they stand on none of them."""
    mine = sides(user, estate)
    for side in allowed:
        if side in mine:
            return mine[side]
    raise PermissionDenied(_("您不是本小区三方、社区、街道或联席会议办公室的工作人员，无权办理"))


def can_raise(user: Any, estate: Estate) -> bool:
    return bool(sides(user, estate))


def _estates_q(user: Any, field: str) -> Q:
    """Rows of the estates ``user`` stands for or oversees; ``field`` leads from the row to
    its estate ("" for an estate itself)."""
    scope = scope_for(user)
    key = f"{field}__" if field else ""
    pk = field or "pk"
    if scope.is_admin:
        return Q()
    if not scope.is_authenticated:
        return Q(pk__in=[])
    estates = parties_access.publishing_estates(user).values("pk")
    committees = Unit.objects.filter(pk__in=sorted(scope.unit_ids), estate__isnull=False)
    return (
        Q(**{f"{pk}__in": estates})
        | Q(**{f"{pk}__in": committees.values("estate_id")})
        | scope.oversight_q(f"{key}community__path")
    )


def readable_problems(user: Any) -> QuerySet[Problem]:
    """Problems ``user`` may read: scoped first, by the estates they stand for."""
    qs = Problem.objects.select_related("estate__community", "case", "raised_by")
    return qs.filter(_estates_q(user, "estate"))


def readable_matters(user: Any) -> QuerySet[EarlyMatter]:
    qs = EarlyMatter.objects.select_related("estate__community", "raised_by")
    return qs.filter(_estates_q(user, "estate"))


def readable_estates(user: Any) -> QuerySet[Estate]:
    """Estates whose problems ``user`` may list (and raise on, when they stand on a side)."""
    return Estate.objects.select_related("community").filter(_estates_q(user, ""))


def _int(pk: Any) -> int | None:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


def problem_for(user: Any, pk: Any) -> Problem:
    found = readable_problems(user).filter(pk=_int(pk) or 0).first()
    if found is None:
        raise NotFound(_("未找到，或无权查看"))
    return found


def matter_for(user: Any, pk: Any) -> EarlyMatter:
    found = readable_matters(user).filter(pk=_int(pk) or 0).first()
    if found is None:
        raise NotFound(_("未找到，或无权查看"))
    return found


def estate_for(user: Any, code: str) -> Estate:
    found = readable_estates(user).filter(code=code[:32]).first()
    if found is None:
        raise NotFound(_("未找到，或无权查看"))
    return found

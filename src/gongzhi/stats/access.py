"""Who may read which figures: asked of the case rules (cases/access.py), so a figure
counts only events of cases in the reader's reach."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from gongzhi.cases.access import viewer
from gongzhi.org.models import Jurisdiction, Unit
from gongzhi.org.permissions import scope_for


@dataclass(frozen=True)
class FigureScope:
    """The rollup rows an account may read, as three kinds of branch: the areas it reads
    as a whole (outermost paths: no one under another), the estates it serves as a
    three-party member, and its own units. ``everything``: the administrator."""

    everything: bool = False
    roots: tuple[str, ...] = ()
    estate_ids: tuple[int, ...] = ()
    unit_ids: tuple[int, ...] = ()

    def q(self) -> Q:
        """The scope as one filter (any branch) on DailyFigures."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for root in self.roots:
            q |= Q(area_path__startswith=root)
        if self.estate_ids:
            q |= Q(estate_id__in=self.estate_ids)
        if self.unit_ids:
            q |= Q(unit_id__in=self.unit_ids)
        return q

    @property
    def signature(self) -> str:
        """The same for two accounts that read the same rows (a cache key's part)."""
        text = repr((self.everything, self.roots, self.estate_ids, self.unit_ids))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def figure_scope(user: Any) -> FigureScope:
    """The rollup rows ``user`` may read: those of the areas it oversees (office,
    convener, auditor) or reads as a street office or residents' committee, of the
    estates it serves as a three-party member, and its own units' figures. Residents
    and strangers: none."""
    v = viewer(user)
    if not v.is_authenticated:
        return FigureScope()
    if v.scope.is_admin:
        return FigureScope(everything=True)
    roots = {*v.oversight_paths, *(root for _uid, root in v.area_units)}
    outermost: list[str] = []
    for root in sorted(roots):
        if not any(root.startswith(kept) for kept in outermost):
            outermost.append(root)
    return FigureScope(
        roots=tuple(outermost),
        estate_ids=tuple(sorted(v.own_estate_ids)),
        unit_ids=tuple(sorted(v.scope.unit_ids)),
    )


def figures_q(user: Any) -> Q:
    """``figure_scope`` as one filter on DailyFigures."""
    return figure_scope(user).q()


def area_roots(user: Any) -> list[str] | None:
    """The area paths ``user`` reads as a whole (None: everything)."""
    v = viewer(user)
    if v.scope.is_admin:
        return None
    return sorted({*v.oversight_paths, *(root for _uid, root in v.area_units)})


def may_see_dashboard(user: Any) -> bool:
    v = viewer(user)
    if not v.is_authenticated:
        return False
    return bool(
        v.scope.is_admin
        or v.oversight_paths
        or v.area_units
        or v.own_estate_ids
        or v.scope.unit_ids
    )


def readable_street(user: Any, code: str) -> Jurisdiction | None:
    """A street's (town's) dashboard: for those who read its whole area."""
    street = Jurisdiction.objects.filter(
        code=code, level__in=(Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN)
    ).first()
    if street is None:
        return None
    roots = area_roots(user)
    if roots is None or any(street.path.startswith(root) for root in roots):
        return street
    return None


def readable_unit(user: Any, code: str) -> Unit | None:
    """A unit's dashboard: as for the unit metrics, the units the account may see."""
    if not viewer(user).is_authenticated:
        return None
    return viewer(user).scope.visible_units().filter(code=code).first()


def may_export(user: Any) -> bool:
    """Exports of the ledger or metrics: for those who may read a ledger of any size."""
    return may_see_dashboard(user)


def can_read_job(user: Any, job: Any) -> bool:
    """A job and its file are its owner's alone: the file holds what the owner may see."""
    return bool(getattr(user, "is_authenticated", False) and job.owner_id == user.pk)


def readable_jobs(user: Any) -> Any:
    from gongzhi.stats.models import Job

    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner_id=user.pk)


def import_ledgers(user: Any) -> Any:
    """The ledgers (counties, districts: tier 3 and above) ``user`` may import old
    ledgers into: those its office manages. Units do not import: an import writes cases
    of many units into the county's ledger, which the office keeps (docs/stats.md, 5)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return Jurisdiction.objects.none()
    levels = [lv for lv, tier in Jurisdiction.TIER.items() if tier <= 3]
    qs = Jurisdiction.objects.filter(level__in=levels)
    if scope.is_admin:
        return qs
    if not scope.office_paths:
        return Jurisdiction.objects.none()
    return qs.filter(_office_q(scope.office_paths))


def _office_q(paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for root in paths:
        q |= Q(path__startswith=root)
    return q


def import_ledger(user: Any, code: str) -> Jurisdiction | None:
    return import_ledgers(user).filter(code=code).first()

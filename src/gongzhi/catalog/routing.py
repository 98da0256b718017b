"""Deterministic routing: for a matter at an estate, which unit leads, which assist, at
which level, and why. Free-text classification (catalog/classify.py) only proposes a
matter code; routing is always this table lookup."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gongzhi.catalog.models import MatterType
from gongzhi.catalog.selectors import (
    MEMO_SECONDS,
    EffectiveEntry,
    catalog_generation,
    catalog_version,
    matter_lookup,
)
from gongzhi.common.errors import NotFound
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Jurisdiction, Unit, UnitKind
from gongzhi.org.selectors import estate_units_nearby

PROPERTY_COMPANY = "property_company"
OWNERS_COMMITTEE = "owners_committee"
ESTATE_COMMITTEE = "estate_committee"
RESIDENTS_COMMITTEE = "residents_committee"


@dataclass
class RouteResult:
    estate: Estate
    matter: MatterType
    lead: Unit | None
    assists: list[Unit]
    level: Jurisdiction | None
    defined_in: list[Jurisdiction]
    reasons: list[str] = field(default_factory=list)
    unresolved_kinds: list[str] = field(default_factory=list)

    @property
    def citation(self) -> str:
        return self.matter.source

    def as_dict(self) -> dict[str, object]:
        def unit(u: Unit | None) -> dict[str, object] | None:
            if u is None:
                return None
            return {
                "code": u.code,
                "name": u.name,
                "kind": u.kind_id,
                "jurisdiction": u.jurisdiction.name,
                "phone": u.phone,
                "hotline": u.hotline,
            }

        return {
            "estate": self.estate.code,
            "matter": {"code": self.matter.code, "name": self.matter.name},
            "lead": unit(self.lead),
            "assists": [unit(u) for u in self.assists],
            "level": (
                {"code": self.level.code, "name": self.level.name, "level": self.level.level}
                if self.level
                else None
            ),
            "legal_basis": self.matter.legal_basis,
            "source": self.matter.source,
            "inheritance": [j.name for j in self.defined_in],
            "reasons": self.reasons,
            "unresolved_kinds": self.unresolved_kinds,
        }


class _UnitFinder:
    """Finds, for a unit kind, the nearest unit serving an estate: the estate's own
    parties first, then the community, street, county and up. Where the nearest place
    holds several active units of the kind, the kind alone does not say which one is
    meant: the finder answers none and says why, and the catalog has to name the unit
    (``lead_unit``, ``assist_units``); it never picks one by name order."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        order = {code: depth for depth, code in enumerate(estate.community.ancestor_codes())}
        units = list(estate_units_nearby(estate))
        # Nearest jurisdiction first; estate-bound units before area-wide ones.
        units.sort(
            key=lambda u: (
                0 if u.estate_id == estate.pk else 1,
                -order.get(u.jurisdiction.code, -1),
                u.name,
            )
        )
        self.units = units

    def candidates(self, kind: str) -> list[Unit]:
        """The units of ``kind`` at the nearest place that has any (usually one)."""
        found: list[Unit] = []
        for unit in self.units:
            if unit.kind_id != kind:
                continue
            if found and (unit.estate_id, unit.jurisdiction_id) != (
                found[0].estate_id,
                found[0].jurisdiction_id,
            ):
                break
            found.append(unit)
        return found

    def nearest(self, kind: str, reasons: list[str] | None = None) -> Unit | None:
        found = self.candidates(kind)
        if len(found) > 1:
            if reasons is not None:
                reasons.append(
                    _("%(name)s有 %(len)s 个“%(name2)s”（%(join)s），清单未指定由哪一个负责")
                    % {
                        "name": found[0].jurisdiction.name,
                        "len": len(found),
                        "name2": found[0].kind.name,
                        "join": "、".join(u.name for u in found),
                    }
                )
            return None
        return found[0] if found else None

    def street_office(self, reasons: list[str] | None = None) -> Unit | None:
        for kind in sorted(kinds.kinds_with(kinds.STREET_LEVEL)):
            if self.candidates(kind):
                return self.nearest(kind, reasons)
        return None

    def find(self, kind: str, reasons: list[str]) -> Unit | None:
        estate = self.estate
        if kind == PROPERTY_COMPANY:
            if estate.property_company is not None:
                return estate.property_company
            if estate.custodian_company is not None:
                reasons.append(
                    _("临时托管：由%(name)s承接物业服务（001 四(二)）")
                    % {"name": estate.custodian_company.name}
                )
                return estate.custodian_company
            reasons.append(
                _("%(name)s无物业服务企业，由街道负责日常管理（001 四(二)、003 二(十三)）")
                % {"name": estate.name}
            )
            return self.street_office(reasons)
        if kind == OWNERS_COMMITTEE:
            if estate.owners_committee is not None:
                return estate.owners_committee
            reasons.append(
                _("%(name)s未成立业主委员会，由社区居委会代行职责（003 二(十三)1）")
                % {"name": estate.name}
            )
            return self.nearest(RESIDENTS_COMMITTEE, reasons)
        if kind == ESTATE_COMMITTEE:
            if not self.candidates(ESTATE_COMMITTEE):
                reasons.append(_("未设环境和物业管理委员会，由社区居委会负责（003 二(十三)1）"))
                return self.nearest(RESIDENTS_COMMITTEE, reasons)
            return self.nearest(ESTATE_COMMITTEE, reasons)
        return self.nearest(kind, reasons)


def handling_level(estate: Estate, unit: Unit) -> Jurisdiction:
    """The level a case of ``estate`` sits at when ``unit`` leads it: a three-party
    body's cases (and those of units at or below the community) are the community's; a
    department's are at its own jurisdiction. Routing answers and registered cases both
    use this, so they agree."""
    if unit.kind.group == UnitKind.Group.THREE_PARTY or (
        unit.jurisdiction.tier >= estate.community.tier
    ):
        return estate.community
    return unit.jurisdiction


def route_entry(
    *, estate: Estate, entry: EffectiveEntry, finder: _UnitFinder | None = None
) -> RouteResult:
    matter = entry.matter
    finder = finder or _UnitFinder(estate)
    reasons: list[str] = []
    chain = " → ".join(j.name for j in entry.defined_in)
    reasons.append(
        _("依据《%(name)s》%(code)s“%(name2)s”（%(source)s）")
        % {
            "name": matter.catalog.name,
            "code": matter.code,
            "name2": matter.name,
            "source": matter.source,
        }
    )
    if len(entry.defined_in) > 1:
        reasons.append(
            _("该事项经 %(chain)s 逐级细化，采用 %(name)s 的规定")
            % {"chain": chain, "name": entry.defined_in[-1].name}
        )
    elif entry.defined_in and entry.defined_in[-1].pk != estate.community_id:
        reasons.append(_("继承自 %(name)s 的职责清单") % {"name": entry.defined_in[-1].name})
    unresolved: list[str] = []
    lead: Unit | None
    if matter.lead_unit is not None:
        lead = matter.lead_unit
        reasons.append(_("清单指定牵头单位：%(name)s") % {"name": lead.name})
    elif matter.property_scope:
        reasons.append(_("属物业服务范围，由小区物业服务企业负责"))
        lead = finder.find(PROPERTY_COMPANY, reasons)
    elif matter.lead_kind_id:
        lead = finder.find(matter.lead_kind_id, reasons)
        if lead is None:
            unresolved.append(matter.lead_kind_id)
    else:
        lead = None
    if lead is None:
        reasons.append(_("辖区内未找到对应的牵头单位，转联席会议办公室分派"))
    named: dict[str, list[Unit]] = {}
    for unit in entry.assist_units:
        named.setdefault(unit.kind_id, []).append(unit)
    if entry.assist_units:
        reasons.append(_("清单指定协办单位：") + "、".join(u.name for u in entry.assist_units))
    assists: list[Unit] = []
    kinds = [*entry.assist_kind_codes, *(k for k in named if k not in entry.assist_kind_codes)]
    for kind in kinds:
        if kind in named:
            units = named[kind]
        else:
            found = finder.find(kind, reasons)
            if found is None:
                unresolved.append(kind)
                continue
            units = [found]
        for unit in units:
            if unit != lead and unit not in assists:
                assists.append(unit)
    return RouteResult(
        estate=estate,
        matter=matter,
        lead=lead,
        assists=assists,
        level=handling_level(estate, lead) if lead else None,
        defined_in=entry.defined_in,
        reasons=reasons,
        unresolved_kinds=unresolved,
    )


def route(*, estate: Estate, matter_code: str) -> RouteResult:
    """Route ``matter_code`` at ``estate`` through the estate's effective catalog."""
    entry = matter_lookup(estate.community, matter_code)
    if entry is None:
        raise NotFound(
            _("%(name)s所在辖区的职责清单中没有事项 %(matter_code)s")
            % {"name": estate.name, "matter_code": matter_code}
        )
    return route_entry(estate=estate, entry=entry)


_routes: dict[tuple[int, str], tuple[tuple[int | None, ...], float, RouteResult]] = {}
_routes_lock = threading.Lock()
ROUTE_MEMO_SIZE = 50_000


def route_cached(*, estate: Estate, matter_code: str, version: int | None = None) -> RouteResult:
    """``route``, remembered per estate and matter for this catalog version and the
    estate's parties: a catalog import anywhere bumps the version and every remembered
    answer is forgotten (``version``: the catalog version the caller already read for this
    request, so several answers cost one read of the shared cache). Changes
    to units (the admin site) are seen within ``MEMO_SECONDS``, as for effective
    catalogs."""
    key = (estate.pk, matter_code)
    # The estate's parties are part of the answer: a new company, owners' committee or
    # custodian company (custody, hand-over) is seen at once.
    stamp = (
        catalog_version() if version is None else version,
        catalog_generation(),
        estate.property_company_id,
        estate.owners_committee_id,
        estate.custodian_company_id,
    )
    now = time.monotonic()
    known = _routes.get(key)
    if known is not None and known[0] == stamp and now - known[1] < MEMO_SECONDS:
        return known[2]
    result = route(estate=estate, matter_code=matter_code)
    with _routes_lock:
        if len(_routes) >= ROUTE_MEMO_SIZE:
            _routes.clear()
        _routes[key] = (stamp, now, result)
    return result


def route_all(*, estate: Estate) -> list[RouteResult]:
    """Every matter of the estate's effective catalog, routed (for the public board)."""
    from gongzhi.catalog.selectors import effective_catalog

    finder = _UnitFinder(estate)
    return [
        route_entry(estate=estate, entry=entry, finder=finder)
        for entry in effective_catalog(estate.community).values()
    ]

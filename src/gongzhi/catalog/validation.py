"""Checking a catalog file before anything is written: every problem by row and column,
in Chinese. ``catalog_validate`` answers the errors and a plan of what the import will
create, so that the import writes exactly what was checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count
from django.utils.translation import gettext as _

from gongzhi.catalog.files import CatalogDocument, Row
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.catalog.timelimits import parse_time_limit
from gongzhi.common.errors import FieldError
from gongzhi.org import kinds
from gongzhi.org.models import Jurisdiction, Unit, UnitKind

CATEGORIES = set(MatterType.Category.values)
# Kinds routing resolves through the estate itself (its company, its owners' committee),
# never by looking for the nearest unit of the kind: several of them is normal.
ESTATE_PARTY_KINDS = {"property_company", "owners_committee"}


@dataclass
class NewUnit:
    name: str
    kind: str
    home: Jurisdiction
    code: str  # empty: generated when created
    row: Row


@dataclass
class _Place:
    """A unit as the ambiguity check sees it: existing or about to be created."""

    name: str
    code: str
    kind: str
    jurisdiction: Jurisdiction


@dataclass
class ImportPlan:
    # Kind code by code and by Chinese name; Chinese name by code.
    kinds: dict[str, str]
    kind_names: dict[str, str]
    new_units: list[NewUnit] = field(default_factory=list)
    # A code the file gives to a unit that already exists under another code (same name):
    # references to the file's code mean that unit.
    aliases: dict[str, Unit] = field(default_factory=dict)


def kind_resolver() -> tuple[dict[str, str], dict[str, str]]:
    """Unit kinds by code and by Chinese name, so Excel users may write either; and each
    kind's Chinese name for messages."""
    resolver: dict[str, str] = {}
    names: dict[str, str] = {}
    for kind in UnitKind.objects.all():
        resolver[kind.code] = kind.code
        resolver[kind.name] = kind.code
        names[kind.code] = kind.name
    return resolver, names


def unit_home(jurisdiction: Jurisdiction, name: str, kind: str) -> Jurisdiction:
    """A street office or town government named in a county's document belongs to that
    street or town (嘉祥街道办事处 → 嘉祥街道) when the street exists below the county."""
    if kind not in kinds.kinds_with(kinds.STREET_LEVEL):
        return jurisdiction
    for node in Jurisdiction.objects.filter(
        path__startswith=jurisdiction.path,
        level__in=[Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN],
    ):
        if name.startswith(node.name):
            return node
    return jurisdiction


def catalog_validate(
    jurisdiction: Jurisdiction, doc: CatalogDocument
) -> tuple[list[FieldError], ImportPlan]:
    kinds, kind_names = kind_resolver()
    plan = ImportPlan(kinds=kinds, kind_names=kind_names)
    errors = _check_units(jurisdiction, doc, plan)
    errors += _check_matters(jurisdiction, doc, plan)
    errors += _check_named_units(doc, plan)
    errors += _check_ambiguous_kinds(jurisdiction, doc, plan)
    codes = {row.values.get("code", "") for row in doc.matters}
    errors += removed_in_use(jurisdiction, codes)
    return errors, plan


def _check_units(
    jurisdiction: Jurisdiction, doc: CatalogDocument, plan: ImportPlan
) -> list[FieldError]:
    errors: list[FieldError] = []
    kinds = plan.kinds
    present = {
        u.name: u for u in Unit.objects.filter(jurisdiction__path__startswith=jurisdiction.path)
    }
    given = [r.values["code"] for r in doc.units if r.values.get("code")]
    taken = {u.code: u for u in Unit.objects.filter(code__in=given)}
    seen_names: set[str] = set()
    seen_codes: set[str] = set()
    for row in doc.units:
        v = row.values
        name, code, kind = v.get("name", ""), v.get("code", ""), v.get("kind", "")
        if not name:
            errors.append(row.error("name", _("单位名称不能为空")))
        elif name in seen_names:
            errors.append(row.error("name", _("单位“%(name)s”重复") % {"name": name}))
        else:
            seen_names.add(name)
        if code in seen_codes:
            errors.append(
                row.error(
                    "code", _("单位编码 %(code)s 重复：前面已有同一编码的单位") % {"code": code}
                )
            )
        elif code:
            seen_codes.add(code)
        if not kind:
            errors.append(row.error("kind", _("单位类型不能为空")))
        elif kind not in kinds:
            errors.append(row.error("kind", _("未知单位类型“%(kind)s”") % {"kind": kind}))
        if not name or not kind or kind not in kinds:
            continue
        existing = present.get(name)
        if existing is not None:
            # Left as it is; the file's code, if another, names this unit in the file.
            if code and code != existing.code:
                plan.aliases[code] = existing
            continue
        if code in taken:
            errors.append(
                row.error(
                    "code",
                    _("单位编码 %(code)s 已被“%(name)s”使用")
                    % {"code": code, "name": taken[code].name},
                )
            )
            continue
        home = unit_home(jurisdiction, name, kinds[kind])
        plan.new_units.append(NewUnit(name=name, kind=kinds[kind], home=home, code=code, row=row))
    return errors


def _check_matters(
    jurisdiction: Jurisdiction, doc: CatalogDocument, plan: ImportPlan
) -> list[FieldError]:
    errors: list[FieldError] = []
    kinds = plan.kinds
    codes: set[str] = set()
    inherited: set[str] = set()
    if jurisdiction.parent is not None:
        inherited = set(effective_catalog(jurisdiction.parent))
    for row in doc.matters:
        v = row.values
        code = v.get("code", "")
        if not code:
            errors.append(row.error("code", _("编码不能为空")))
        elif code in codes:
            # One row per error: the later occurrence is the one reported.
            errors.append(
                row.error("code", _("编码 %(code)s 重复：前面已有同一编码的事项") % {"code": code})
            )
        else:
            codes.add(code)
        if len(code) > 32:
            errors.append(row.error("code", _("编码不能超过 32 个字符")))
        if not v.get("disabled"):
            if not v.get("name"):
                errors.append(row.error("name", _("名称不能为空")))
            elif len(v["name"]) > 100:
                errors.append(row.error("name", _("名称不能超过 100 个字符")))
        category = v.get("category") or "其他"  # i18n: data (stored category)
        if category not in CATEGORIES:
            errors.append(
                row.error("category", _("未知类别“%(category)s”") % {"category": category})
            )
        lead = v.get("lead", "")
        if lead and lead not in kinds:
            errors.append(row.error("lead", _("未知单位类型“%(lead)s”") % {"lead": lead}))
        if (
            not v.get("disabled")
            and not lead
            and not v.get("lead_unit")
            and not v.get("property_scope")
        ):
            errors.append(
                row.error("lead", _("必须填写牵头单位类型、指定牵头单位，或标明属物业服务范围"))
            )
        for kind in v.get("assist", []):
            if kind not in kinds:
                errors.append(row.error("assist", _("未知单位类型“%(kind)s”") % {"kind": kind}))
        for key in ("time_limit", "accept_limit", "response_limit"):
            value = v.get(key, "")
            if key == "time_limit" and not value and not v.get("disabled"):
                errors.append(row.error(key, _("办结时限不能为空")))
                continue
            if value:
                try:
                    parse_time_limit(value)
                except ValueError as exc:
                    errors.append(row.error(key, str(exc)))
        for key in ("keywords", "phrasings", "exclusions", "replaces"):
            if not isinstance(v.get(key, []), list):
                errors.append(row.error(key, _("应为列表")))
    for row in doc.matters:
        for code in row.values.get("replaces", []):
            if code not in inherited:
                errors.append(
                    row.error("replaces", _("取代的事项 %(code)s 不在上级清单中") % {"code": code})
                )
            elif code in codes:
                errors.append(
                    row.error(
                        "replaces",
                        _("事项 %(code)s 已在本清单中重新定义，不能再被取代") % {"code": code},
                    )
                )
        parent = row.values.get("parent", "")
        if parent and parent not in codes and parent not in inherited:
            errors.append(
                row.error(
                    "parent",
                    _("上级编码 %(parent)s 在本清单和上级清单中都不存在") % {"parent": parent},
                )
            )
        if parent and parent == row.values.get("code"):
            errors.append(row.error("parent", _("上级编码不能是自己")))
    return errors


def named_unit_kinds(doc: CatalogDocument, plan: ImportPlan) -> dict[str, str]:
    """Kind of every unit code the file may name: new units, aliases, existing units."""
    wanted: set[str] = set()
    for row in doc.matters:
        if row.values.get("lead_unit"):
            wanted.add(row.values["lead_unit"])
        wanted.update(row.values.get("assist_units", []))
    found = {
        code: kind
        for code, kind in Unit.objects.filter(code__in=wanted).values_list("code", "kind_id")
    }
    found.update({code: unit.kind_id for code, unit in plan.aliases.items()})
    found.update({u.code: u.kind for u in plan.new_units if u.code})
    return found


def _check_named_units(doc: CatalogDocument, plan: ImportPlan) -> list[FieldError]:
    errors: list[FieldError] = []
    known = named_unit_kinds(doc, plan)
    for row in doc.matters:
        v = row.values
        lead_unit = v.get("lead_unit", "")
        if lead_unit and lead_unit not in known:
            errors.append(
                row.error("lead_unit", _("未知单位编码“%(lead_unit)s”") % {"lead_unit": lead_unit})
            )
        elif lead_unit and v.get("lead") in plan.kinds:
            expected = plan.kinds[v["lead"]]
            if known[lead_unit] != expected:
                errors.append(
                    row.error(
                        "lead_unit",
                        _("单位 %(lead_unit)s 的类型是“%(value)s”，与牵头单位类型“%(value2)s”不符")
                        % {
                            "lead_unit": lead_unit,
                            "value": plan.kind_names[known[lead_unit]],
                            "value2": plan.kind_names[expected],
                        },
                    )
                )
        for code in v.get("assist_units", []):
            if code not in known:
                errors.append(
                    row.error("assist_units", _("未知单位编码“%(code)s”") % {"code": code})
                )
    return errors


def _check_ambiguous_kinds(
    jurisdiction: Jurisdiction, doc: CatalogDocument, plan: ImportPlan
) -> list[FieldError]:
    """An entry whose lead or assisting kind has several active units at the nearest
    level of some estate the catalog covers must name the unit: routing would otherwise
    have no way to choose (and used to choose by name order)."""
    ancestors = set(jurisdiction.ancestor_codes())
    units = [
        _Place(u.name, u.code, u.kind_id, u.jurisdiction)
        for u in Unit.objects.filter(is_active=True, estate__isnull=True)
        .filter(
            models.Q(jurisdiction__code__in=ancestors)
            | models.Q(jurisdiction__path__startswith=jurisdiction.path)
        )
        .select_related("jurisdiction")
    ]
    units += [_Place(u.name, u.code, u.kind, u.home) for u in plan.new_units]
    by_kind: dict[str, list[_Place]] = {}
    for place in units:
        by_kind.setdefault(place.kind, []).append(place)
    named = named_unit_kinds(doc, plan)
    errors: list[FieldError] = []
    for row in doc.matters:
        v = row.values
        if v.get("disabled"):
            continue
        lead = plan.kinds.get(v.get("lead", ""))
        if lead and not v.get("lead_unit") and not v.get("property_scope"):
            clash = _ambiguous(jurisdiction, by_kind.get(lead, []))
            if clash:
                errors.append(
                    row.error("lead", _ambiguity_message(clash, _("指定牵头单位编码（lead_unit）")))
                )
        covered = {named[c] for c in v.get("assist_units", []) if c in named}
        for name in v.get("assist", []):
            kind = plan.kinds.get(name)
            if kind is None or kind in covered:
                continue
            clash = _ambiguous(jurisdiction, by_kind.get(kind, []))
            if clash:
                errors.append(
                    row.error(
                        "assist", _ambiguity_message(clash, _("指定协办单位编码（assist_units）"))
                    )
                )
    return errors


def _ambiguous(jurisdiction: Jurisdiction, places: list[_Place]) -> list[_Place]:
    """Units of one kind that share the nearest level of some estate under
    ``jurisdiction``; empty when the kind is unambiguous everywhere there."""
    if not places or places[0].kind in ESTATE_PARTY_KINDS:
        return []
    at: dict[int, list[_Place]] = {}
    for place in places:
        at.setdefault(place.jurisdiction.pk, []).append(place)
    own_path = jurisdiction.path
    for group in sorted(at.values(), key=lambda g: -g[0].jurisdiction.depth):
        if len(group) < 2:
            continue
        node = group[0].jurisdiction
        if node.path.startswith(own_path):
            return group
        # An ancestor's units are nearest only where no unit of the kind sits between
        # that ancestor and this jurisdiction.
        nearer = any(
            own_path.startswith(p.jurisdiction.path) and p.jurisdiction.depth > node.depth
            for p in places
        )
        if not nearer:
            return group
    return []


def _ambiguity_message(clash: list[_Place], column: str) -> str:
    listed = "、".join(f"{p.name}（{p.code or _('新建')}）" for p in clash)
    return _(
        "%(name)s有 %(len)s 个该类型的单位：%(listed)s，无法确定由哪一个负责；请在“%(column)s”中写明单位编码"
    ) % {"name": clash[0].jurisdiction.name, "len": len(clash), "listed": listed, "column": column}


def removed_in_use(jurisdiction: Jurisdiction, kept: set[str]) -> list[FieldError]:
    """Entries the file leaves out although records still point at them (cases, through a
    protected foreign key): deleting them would orphan those records, so the import is
    refused, naming every such entry with how many records use it."""
    leaving = MatterType.objects.filter(catalog__jurisdiction=jurisdiction).exclude(code__in=kept)
    uses: dict[int, list[str]] = {}
    for relation in MatterType._meta.related_objects:
        if relation.on_delete not in (models.PROTECT, models.RESTRICT):
            continue
        model = relation.related_model
        assert not isinstance(model, str)  # resolved once the apps are loaded
        link = relation.field.name
        label = str(model._meta.verbose_name)
        counts = (
            model._default_manager.filter(**{f"{link}__in": leaving})
            .values(link)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for count in counts:
            uses.setdefault(count[link], []).append(
                _("%(n)s 件%(label)s") % {"n": count["n"], "label": label}
            )
    errors = []
    for matter in leaving.filter(pk__in=uses).order_by("sort", "code"):
        errors.append(
            FieldError(
                "code",
                _(
                    "事项 %(code)s“%(name)s”仍被 %(join)s使用，不能从清单中删除：请在文件中保留该事项（不再使用的可标为停用）"
                )
                % {"code": matter.code, "name": matter.name, "join": "、".join(uses[matter.pk])},
            )
        )
    return errors

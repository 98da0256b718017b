"""Writing catalogs: importing a whole file (all or nothing) and exporting one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from gongzhi.catalog.files import CatalogDocument, write_xlsx, write_yaml
from gongzhi.catalog.models import Catalog, MatterType
from gongzhi.catalog.selectors import catalog_bump_version, catalog_memo_clear
from gongzhi.catalog.timelimits import parse_time_limit
from gongzhi.catalog.validation import catalog_validate, removed_in_use
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput, NotFound
from gongzhi.org.models import Jurisdiction, Unit, User


@dataclass
class ImportResult:
    catalog: Catalog
    created: int
    updated: int
    removed: int
    units_created: int


@transaction.atomic
def catalog_import(
    *,
    jurisdiction: Jurisdiction,
    document: CatalogDocument,
    actor: User | None = None,
    filename: str = "",
) -> ImportResult:
    """Replace the jurisdiction's catalog with the file's. Every problem is reported by
    row and column, and a file with any problem changes nothing."""
    errors, plan = catalog_validate(jurisdiction, document)
    errors = sorted(document.errors + errors, key=lambda e: e.row or 0)
    if errors:
        raise InvalidInput(
            errors=errors,
            summary=_("清单文件有 %(len)s 处错误，未导入任何内容") % {"len": len(errors)},
        )
    catalog = _catalog_row(jurisdiction, document)
    _units_create(plan)
    units = _named_units(document, plan)
    existing = {m.code: m for m in catalog.matters.all()}
    created = updated = 0
    for index, row in enumerate(document.matters):
        matter = existing.pop(row.values["code"], None)
        fields = _matter_fields(row.values, index, plan.kinds, units)
        if matter is None:
            matter = MatterType.objects.create(catalog=catalog, code=row.values["code"], **fields)
            created += 1
        else:
            for key, value in fields.items():
                setattr(matter, key, value)
            matter.save()
            updated += 1
        # django-stubs assumes integer primary keys; UnitKind's is its code.
        assist = [plan.kinds[k] for k in row.values.get("assist", [])]
        matter.assist_kinds.set(assist)  # type: ignore[misc,arg-type]
        matter.assist_units.set([units[c] for c in row.values.get("assist_units", [])])
    removed = len(existing)
    if existing:
        _matters_remove(jurisdiction, document, existing)
    audit_record(
        actor=actor,
        action="catalog.import",
        target=catalog,
        reason=filename,
        extra={
            "created": created,
            "updated": updated,
            "removed": removed,
            "units_created": len(plan.new_units),
            "revision": catalog.revision,
        },
    )
    catalog_memo_clear()
    transaction.on_commit(catalog_bump_version)
    return ImportResult(catalog, created, updated, removed, len(plan.new_units))


def _catalog_row(jurisdiction: Jurisdiction, document: CatalogDocument) -> Catalog:
    catalog, created = Catalog.objects.select_for_update().get_or_create(
        jurisdiction=jurisdiction,
        defaults={
            "name": document.name or f"{jurisdiction.name}职责清单",  # i18n: data (stored name)
            "source": document.source,
        },
    )
    if not created:
        catalog.name = document.name or catalog.name
        catalog.source = document.source or catalog.source
        catalog.revision += 1
        catalog.save()
    return catalog


def _units_create(plan: Any) -> None:
    """The file's new member units, before its matters, which may name them by code."""
    for new in plan.new_units:
        v = new.row.values
        Unit.objects.create(
            code=new.code or _unit_code(new.home, new.kind),
            name=new.name,
            kind_id=new.kind,
            jurisdiction=new.home,
            phone=v.get("phone", ""),
            hotline=v.get("hotline", ""),
            source=v.get("source", ""),
        )


def _named_units(document: CatalogDocument, plan: Any) -> dict[str, Unit]:
    named = {
        code
        for row in document.matters
        for code in [row.values.get("lead_unit", ""), *row.values.get("assist_units", [])]
        if code
    }
    units = {u.code: u for u in Unit.objects.filter(code__in=named)}
    units.update(plan.aliases)
    return units


def _limit(value: Any) -> str:
    return str(parse_time_limit(value)) if value else ""


def _matter_fields(
    v: dict[str, Any], index: int, kinds: dict[str, str], units: dict[str, Unit]
) -> dict[str, Any]:
    return {
        "name": v.get("name", ""),
        "parent_code": v.get("parent", ""),
        "category": v.get("category") or "其他",  # i18n: data (stored category)
        "description": v.get("description", ""),
        "keywords": v.get("keywords", []),
        "phrasings": v.get("phrasings", []),
        "exclusions": v.get("exclusions", []),
        "replaces": v.get("replaces", []),
        "legal_basis": v.get("legal_basis", ""),
        "source": v.get("source", ""),
        "lead_kind_id": kinds[v["lead"]] if v.get("lead") else None,
        "lead_unit": units.get(v.get("lead_unit", "")),
        "property_scope": bool(v.get("property_scope")),
        "time_limit": _limit(v.get("time_limit")),
        "accept_limit": _limit(v.get("accept_limit")),
        "response_limit": _limit(v.get("response_limit")),
        "disabled": bool(v.get("disabled")),
        "sort": index,
    }


def _matters_remove(
    jurisdiction: Jurisdiction, document: CatalogDocument, gone: dict[str, MatterType]
) -> None:
    try:
        MatterType.objects.filter(pk__in=[m.pk for m in gone.values()]).delete()
    except models.ProtectedError as exc:
        # A case registered after the check; the transaction rolls back whole.
        kept = {r.values["code"] for r in document.matters}
        raise InvalidInput(
            errors=removed_in_use(jurisdiction, kept),
            summary=_("清单中被删除的事项仍在使用，未导入任何内容"),
        ) from exc


def _unit_code(jurisdiction: Jurisdiction, kind: str) -> str:
    base = f"{jurisdiction.code}-{kind}".replace("_", "-")
    code, n = base, 1
    while Unit.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _matter_dict(m: MatterType) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "parent": m.parent_code or None,
        "category": m.category,
        "description": m.description,
        "keywords": list(m.keywords),
        "phrasings": list(m.phrasings),
        "exclusions": list(m.exclusions),
        "replaces": list(m.replaces),
        "legal_basis": m.legal_basis,
        "source": m.source,
        "lead": m.lead_kind_id or "",
        "lead_unit": m.lead_unit.code if m.lead_unit else "",
        "assist": sorted(k.code for k in m.assist_kinds.all()),
        "assist_units": sorted(u.code for u in m.assist_units.all()),
        "property_scope": m.property_scope,
        "time_limit": m.time_limit,
        "accept_limit": m.accept_limit,
        "response_limit": m.response_limit,
        "disabled": m.disabled,
    }


def catalog_export(*, jurisdiction: Jurisdiction, fmt: str) -> bytes:
    """Export the jurisdiction's own catalog and member units as YAML or .xlsx; the file
    imports back unchanged."""
    try:
        catalog = jurisdiction.catalog
    except Catalog.DoesNotExist as exc:
        raise NotFound(_("%(name)s还没有职责清单") % {"name": jurisdiction.name}) from exc
    matters = [
        _matter_dict(m)
        for m in catalog.matters.select_related("lead_unit").prefetch_related(
            "assist_kinds", "assist_units"
        )
    ]
    units = [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind_id,
            "phone": u.phone,
            "hotline": u.hotline,
            "source": u.source,
        }
        for u in Unit.objects.filter(jurisdiction=jurisdiction, estate__isnull=True).order_by(
            "kind__sort", "name"
        )
    ]
    if fmt == "yaml":
        for m in matters:
            for key in (
                "lead_unit",
                "assist_units",
                "accept_limit",
                "response_limit",
                "exclusions",
                "replaces",
            ):
                if not m[key]:
                    m.pop(key)
            if not m["disabled"]:
                m.pop("disabled")
        return write_yaml(name=catalog.name, source=catalog.source, matters=matters, units=units)
    if fmt == "xlsx":
        return write_xlsx(name=catalog.name, source=catalog.source, matters=matters, units=units)
    raise InvalidInput(
        errors=[FieldError("format", _("不支持的格式“%(fmt)s”，应为 yaml 或 xlsx") % {"fmt": fmt})]
    )

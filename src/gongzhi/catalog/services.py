"""Writing catalogs: importing a whole file (all or nothing) and exporting one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Count

from gongzhi.catalog.files import CatalogDocument, write_xlsx, write_yaml
from gongzhi.catalog.models import Catalog, MatterType
from gongzhi.catalog.selectors import catalog_bump_version, effective_catalog
from gongzhi.catalog.timelimits import parse_time_limit
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput, NotFound
from gongzhi.org.models import Jurisdiction, Unit, UnitKind, User

CATEGORIES = set(MatterType.Category.values)


@dataclass
class ImportResult:
    catalog: Catalog
    created: int
    updated: int
    removed: int
    units_created: int


def _kind_resolver() -> dict[str, str]:
    """Unit kinds by code and by Chinese name, so Excel users may write either."""
    resolver: dict[str, str] = {}
    for kind in UnitKind.objects.all():
        resolver[kind.code] = kind.code
        resolver[kind.name] = kind.code
    return resolver


def _validate(
    jurisdiction: Jurisdiction, doc: CatalogDocument
) -> tuple[list[FieldError], dict[str, str]]:
    errors: list[FieldError] = []
    kinds = _kind_resolver()
    codes: dict[str, int] = {}
    inherited = set()
    if jurisdiction.parent is not None:
        inherited = set(effective_catalog(jurisdiction.parent))
    unit_codes = {row.values.get("lead_unit") for row in doc.matters if row.values.get("lead_unit")}
    known_units = set(Unit.objects.filter(code__in=unit_codes).values_list("code", flat=True))
    for row in doc.matters:
        v = row.values
        code = v.get("code", "")
        if not code:
            errors.append(row.error("code", "编码不能为空"))
        elif code in codes:
            # One row per error: the later occurrence is the one reported.
            errors.append(row.error("code", f"编码 {code} 重复：前面已有同一编码的事项"))
        else:
            codes[code] = row.row
        if len(code) > 32:
            errors.append(row.error("code", "编码不能超过 32 个字符"))
        if not v.get("disabled"):
            if not v.get("name"):
                errors.append(row.error("name", "名称不能为空"))
            elif len(v["name"]) > 100:
                errors.append(row.error("name", "名称不能超过 100 个字符"))
        category = v.get("category") or "其他"
        if category not in CATEGORIES:
            errors.append(row.error("category", f"未知类别“{category}”"))
        lead = v.get("lead", "")
        if lead and lead not in kinds:
            errors.append(row.error("lead", f"未知单位类型“{lead}”"))
        if v.get("lead_unit") and v["lead_unit"] not in known_units:
            errors.append(row.error("lead_unit", f"未知单位编码“{v['lead_unit']}”"))
        if (
            not v.get("disabled")
            and not lead
            and not v.get("lead_unit")
            and not v.get("property_scope")
        ):
            errors.append(
                row.error("lead", "必须填写牵头单位类型、指定牵头单位，或标明属物业服务范围")
            )
        for kind in v.get("assist", []):
            if kind not in kinds:
                errors.append(row.error("assist", f"未知单位类型“{kind}”"))
        for key in ("time_limit", "accept_limit", "response_limit"):
            value = v.get(key, "")
            if key == "time_limit" and not value and not v.get("disabled"):
                errors.append(row.error(key, "办结时限不能为空"))
                continue
            if value:
                try:
                    parse_time_limit(value)
                except ValueError as exc:
                    errors.append(row.error(key, str(exc)))
        for key in ("keywords", "phrasings"):
            if not isinstance(v.get(key, []), list):
                errors.append(row.error(key, "应为列表"))
    for row in doc.matters:
        parent = row.values.get("parent", "")
        if parent and parent not in codes and parent not in inherited:
            errors.append(row.error("parent", f"上级编码 {parent} 在本清单和上级清单中都不存在"))
        if parent and parent == row.values.get("code"):
            errors.append(row.error("parent", "上级编码不能是自己"))
    seen_units: set[str] = set()
    for row in doc.units:
        v = row.values
        if not v.get("name"):
            errors.append(row.error("name", "单位名称不能为空"))
        elif v["name"] in seen_units:
            errors.append(row.error("name", f"单位“{v['name']}”重复"))
        else:
            seen_units.add(v["name"])
        kind = v.get("kind", "")
        if not kind:
            errors.append(row.error("kind", "单位类型不能为空"))
        elif kind not in kinds:
            errors.append(row.error("kind", f"未知单位类型“{kind}”"))
    errors += _removed_in_use(jurisdiction, set(codes))
    return errors, kinds


def _removed_in_use(jurisdiction: Jurisdiction, kept: set[str]) -> list[FieldError]:
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
            uses.setdefault(count[link], []).append(f"{count['n']} 件{label}")
    errors = []
    for matter in leaving.filter(pk__in=uses).order_by("sort", "code"):
        errors.append(
            FieldError(
                "code",
                f"事项 {matter.code}“{matter.name}”仍被 {'、'.join(uses[matter.pk])}使用，"
                "不能从清单中删除：请在文件中保留该事项（不再使用的可标为停用）",
            )
        )
    return errors


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
    errors, kinds = _validate(jurisdiction, document)
    errors = sorted(document.errors + errors, key=lambda e: e.row or 0)
    if errors:
        raise InvalidInput(
            errors=errors, summary=f"清单文件有 {len(errors)} 处错误，未导入任何内容"
        )
    catalog, created_catalog = Catalog.objects.select_for_update().get_or_create(
        jurisdiction=jurisdiction,
        defaults={
            "name": document.name or f"{jurisdiction.name}职责清单",
            "source": document.source,
        },
    )
    if not created_catalog:
        catalog.name = document.name or catalog.name
        catalog.source = document.source or catalog.source
        catalog.revision += 1
        catalog.save()
    existing = {m.code: m for m in catalog.matters.all()}
    lead_units = {
        u.code: u
        for u in Unit.objects.filter(
            code__in=[r.values["lead_unit"] for r in document.matters if r.values.get("lead_unit")]
        )
    }
    created = updated = 0
    for index, row in enumerate(document.matters):
        v = row.values
        fields: dict[str, Any] = {
            "name": v.get("name", ""),
            "parent_code": v.get("parent", ""),
            "category": v.get("category") or "其他",
            "description": v.get("description", ""),
            "keywords": v.get("keywords", []),
            "phrasings": v.get("phrasings", []),
            "legal_basis": v.get("legal_basis", ""),
            "source": v.get("source", ""),
            "lead_kind_id": kinds[v["lead"]] if v.get("lead") else None,
            "lead_unit": lead_units.get(v.get("lead_unit", "")),
            "property_scope": bool(v.get("property_scope")),
            "time_limit": str(parse_time_limit(v["time_limit"])) if v.get("time_limit") else "",
            "accept_limit": str(parse_time_limit(v["accept_limit"]))
            if v.get("accept_limit")
            else "",
            "response_limit": (
                str(parse_time_limit(v["response_limit"])) if v.get("response_limit") else ""
            ),
            "disabled": bool(v.get("disabled")),
            "sort": index,
        }
        matter = existing.pop(v["code"], None)
        if matter is None:
            matter = MatterType.objects.create(catalog=catalog, code=v["code"], **fields)
            created += 1
        else:
            for key, value in fields.items():
                setattr(matter, key, value)
            matter.save()
            updated += 1
        # django-stubs assumes integer primary keys; UnitKind's is its code.
        matter.assist_kinds.set([kinds[k] for k in v.get("assist", [])])  # type: ignore[misc]
    removed = len(existing)
    if existing:
        try:
            MatterType.objects.filter(pk__in=[m.pk for m in existing.values()]).delete()
        except models.ProtectedError as exc:
            # A case registered after the check above; the transaction rolls back whole.
            raise InvalidInput(
                errors=_removed_in_use(jurisdiction, {r.values["code"] for r in document.matters}),
                summary="清单中被删除的事项仍在使用，未导入任何内容",
            ) from exc
    units_created = 0
    present = set(
        Unit.objects.filter(jurisdiction__path__startswith=jurisdiction.path).values_list(
            "name", flat=True
        )
    )
    for row in document.units:
        v = row.values
        if v["name"] in present:
            continue
        kind = kinds[v["kind"]]
        home = _unit_home(jurisdiction, v["name"], kind)
        code = v.get("code") or _unit_code(home, kind)
        Unit.objects.create(
            code=code,
            name=v["name"],
            kind_id=kind,
            jurisdiction=home,
            phone=v.get("phone", ""),
            hotline=v.get("hotline", ""),
            source=v.get("source", ""),
        )
        units_created += 1
    audit_record(
        actor=actor,
        action="catalog.import",
        target=catalog,
        reason=filename,
        extra={
            "created": created,
            "updated": updated,
            "removed": removed,
            "units_created": units_created,
            "revision": catalog.revision,
        },
    )
    transaction.on_commit(catalog_bump_version)
    return ImportResult(catalog, created, updated, removed, units_created)


def _unit_home(jurisdiction: Jurisdiction, name: str, kind: str) -> Jurisdiction:
    """A street office or town government named in a county's document belongs to that
    street or town (嘉祥街道办事处 → 嘉祥街道) when the street exists below the county."""
    if kind not in ("street_office", "town_government"):
        return jurisdiction
    for node in Jurisdiction.objects.filter(
        path__startswith=jurisdiction.path,
        level__in=[Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN],
    ):
        if name.startswith(node.name):
            return node
    return jurisdiction


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
        "legal_basis": m.legal_basis,
        "source": m.source,
        "lead": m.lead_kind_id or "",
        "lead_unit": m.lead_unit.code if m.lead_unit else "",
        "assist": sorted(k.code for k in m.assist_kinds.all()),
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
        raise NotFound(f"{jurisdiction.name}还没有职责清单") from exc
    matters = [
        _matter_dict(m)
        for m in catalog.matters.select_related("lead_unit").prefetch_related("assist_kinds")
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
            for key in ("lead_unit", "accept_limit", "response_limit"):
                if not m[key]:
                    m.pop(key)
            if not m["disabled"]:
                m.pop("disabled")
        return write_yaml(name=catalog.name, source=catalog.source, matters=matters, units=units)
    if fmt == "xlsx":
        return write_xlsx(name=catalog.name, source=catalog.source, matters=matters, units=units)
    raise InvalidInput(errors=[FieldError("format", f"不支持的格式“{fmt}”，应为 yaml 或 xlsx")])

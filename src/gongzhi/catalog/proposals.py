"""Catalog change proposals (issue 13 item 6): the office's ruling on a unit's return
becomes, when the office chooses, a proposed change to the catalog — a phrasing or an
exclusion for a matter, or a new entry. The catalog's owner approves (the change is written
into the catalog as an import would: new revision, every process's catalogs, routing
answers and classifier forgotten) or rejects it. Every step is kept in the proposal's
history and the audit trail."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.catalog import access
from gongzhi.catalog.models import Catalog, CatalogProposal, MatterType
from gongzhi.catalog.selectors import catalog_bump_version, catalog_memo_clear, effective_catalog
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput, PermissionDenied
from gongzhi.org.models import Jurisdiction, UnitKind

Kind = CatalogProposal.Kind
Status = CatalogProposal.Status
MAX_WORD = 40
MAX_WORDS = 20
_SPLIT = re.compile(r"[、，,；;\n\r]+")


def proposal_words(text: str) -> list[str]:
    """Phrasings written one per line or separated by 、，；, without repeats."""
    seen: list[str] = []
    for word in _SPLIT.split(text or ""):
        word = word.strip()
        if word and word not in seen:
            seen.append(word)
    return seen


def _who(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return str(getattr(actor, "display_name", "") or actor.get_username())


def _step(actor: Any, action: str, note: str) -> dict[str, str]:
    return {"at": timezone.now().isoformat(), "by": _who(actor), "action": action, "note": note}


def nearest_catalog(place: Jurisdiction) -> Catalog | None:
    return (
        Catalog.objects.filter(jurisdiction__code__in=place.ancestor_codes())
        .select_related("jurisdiction")
        .order_by("-jurisdiction__depth")
        .first()
    )


def _target(
    place: Jurisdiction, kind: str, matter_code: str, words: list[str], errors: list[FieldError]
) -> Catalog | None:
    """The catalog the change belongs to: the one defining the matter's effective entry,
    or for a new entry the nearest catalog over the place."""
    if kind == Kind.ENTRY:
        catalog = nearest_catalog(place)
        if catalog is None:
            errors.append(FieldError("proposal_kind", _("本辖区没有职责清单，无法新增事项")))
        return catalog
    entry = effective_catalog(place).get(matter_code.strip())
    if entry is None:
        errors.append(
            FieldError("proposal_matter", _("请选择职责清单中的事项（本地有效清单中没有该事项）"))
        )
        return None
    present = entry.matter.phrasings if kind == Kind.PHRASING else entry.matter.exclusions
    repeated = [w for w in words if w in present]
    if repeated:
        errors.append(
            FieldError(
                "proposal_words",
                _("该事项已有这些说法：%(words)s") % {"words": "、".join(repeated)},
            )
        )
    return entry.matter.catalog


def _check_words(words: list[str], errors: list[FieldError]) -> None:
    if not words:
        errors.append(FieldError("proposal_words", _("请写出要加入清单的说法")))
    elif len(words) > MAX_WORDS:
        errors.append(FieldError("proposal_words", _("一次最多 %(n)s 条说法") % {"n": MAX_WORDS}))
    elif any(len(w) > MAX_WORD for w in words):
        errors.append(
            FieldError("proposal_words", _("每条说法不超过 %(n)s 个字") % {"n": MAX_WORD})
        )


@transaction.atomic
def catalog_proposal_create(
    *,
    place: Jurisdiction,
    kind: str,
    matter_code: str = "",
    words: str | list[str] = "",
    name: str = "",
    lead_kind: str = "",
    note: str = "",
    case_number: str = "",
    actor: Any = None,
) -> CatalogProposal:
    """Propose a change to the catalog serving ``place`` (the ruled case's community).
    Problems are reported field by field and nothing is written."""
    errors: list[FieldError] = []
    listed = proposal_words(words) if isinstance(words, str) else proposal_words("、".join(words))
    kind_obj = None
    if kind not in Kind.values:
        errors.append(FieldError("proposal_kind", _("请选择修改类型")))
        raise InvalidInput(errors=errors)
    _check_words(listed, errors)
    if kind == Kind.ENTRY:
        if not name.strip():
            errors.append(FieldError("proposal_name", _("新增事项须写明事项名称")))
        kind_obj = UnitKind.objects.filter(code=lead_kind.strip()).first()
        if kind_obj is None:
            errors.append(FieldError("proposal_lead_kind", _("请选择牵头单位类型")))
    catalog = _target(place, kind, matter_code, listed, errors)
    if errors or catalog is None:
        raise InvalidInput(errors=errors)
    proposal = CatalogProposal.objects.create(
        catalog=catalog,
        raised_in=place,
        kind=kind,
        matter_code=matter_code.strip() if kind != Kind.ENTRY else "",
        words=listed,
        name=name.strip()[:100] if kind == Kind.ENTRY else "",
        lead_kind=kind_obj,
        case_number=case_number,
        note=note.strip()[:2000],
        history=[_step(actor, Status.PROPOSED, note.strip()[:2000])],
    )
    audit_record(
        actor=actor,
        action="catalog.propose",
        target=proposal,
        to_state=Status.PROPOSED,
        reason=note.strip()[:2000],
        extra={"catalog": catalog.pk, "kind": kind, "case": case_number, "words": listed},
    )
    return proposal


@transaction.atomic
def catalog_proposal_decide(
    *, proposal: CatalogProposal, approve: bool, actor: Any, note: str = ""
) -> CatalogProposal:
    """The catalog's owner approves (the change is applied at once) or rejects."""
    if not access.decides_proposal(actor, proposal):
        raise PermissionDenied(_("只有该职责清单所属辖区的联席会议办公室可以审核"))
    locked = (
        CatalogProposal.objects.select_for_update(of=("self",))
        .select_related("catalog__jurisdiction")
        .get(pk=proposal.pk)
    )
    if locked.status != Status.PROPOSED:
        raise Conflict(_("该建议已被审核（%(status)s）") % {"status": locked.get_status_display()})
    if approve:
        _apply(locked)
    status = Status.APPROVED if approve else Status.REJECTED
    CatalogProposal.objects.filter(pk=locked.pk).update(
        status=status,
        matter_code=locked.matter_code,
        history=[*locked.history, _step(actor, status, note.strip()[:2000])],
        updated_at=timezone.now(),
    )
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="catalog.proposal_approve" if approve else "catalog.proposal_reject",
        target=locked,
        from_state=Status.PROPOSED,
        to_state=status,
        reason=note.strip()[:2000],
        extra={"catalog": locked.catalog_id, "revision": locked.catalog.revision},
    )
    return locked


def _apply(proposal: CatalogProposal) -> None:
    """Write the change into the catalog, bump its revision and make every process
    forget its catalogs (the classifier's signature changes with the matter row)."""
    catalog = Catalog.objects.select_for_update().get(pk=proposal.catalog_id)
    if proposal.kind == Kind.ENTRY:
        proposal.matter_code = _entry_create(catalog, proposal)
    else:
        matter = (
            MatterType.objects.select_for_update()
            .filter(catalog=catalog, code=proposal.matter_code)
            .first()
        )
        if matter is None:
            raise DomainError(
                _("清单中已没有事项“%(code)s”，无法采纳") % {"code": proposal.matter_code}
            )
        field = "phrasings" if proposal.kind == Kind.PHRASING else "exclusions"
        present = list(getattr(matter, field))
        setattr(matter, field, present + [w for w in proposal.words if w not in present])
        matter.save()
    catalog.revision += 1
    catalog.save(update_fields=["revision", "updated_at"])
    proposal.catalog = catalog
    catalog_memo_clear()
    transaction.on_commit(catalog_bump_version)


def _entry_create(catalog: Catalog, proposal: CatalogProposal) -> str:
    codes = set(catalog.matters.values_list("code", flat=True))
    sample = next(iter(sorted(codes)), catalog.jurisdiction.code)
    prefix = sample.split("-")[0] if "-" in sample else catalog.jurisdiction.code[:12]
    code = f"{prefix}-P{proposal.pk:03d}"
    while code in codes:
        code += "a"
    last = catalog.matters.aggregate(m=Max("sort"))["m"] or 0
    MatterType.objects.create(
        catalog=catalog,
        code=code,
        name=proposal.name,
        description=proposal.note,
        phrasings=list(proposal.words),
        lead_kind=proposal.lead_kind,
        source=_("案件 %(number)s 的裁定") % {"number": proposal.case_number}
        if proposal.case_number
        else "",
        sort=last + 1,
    )
    return code

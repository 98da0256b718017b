"""Reads for the office's learning pages and their API, one place for both: training
examples with their filters, model versions, catalog change proposals, each as the row
a page shows and the dict the API answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from gongzhi.catalog import access
from gongzhi.catalog.models import CatalogProposal, ModelVersion, TrainingExample
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.org.models import Jurisdiction

PAGE_SIZE = 200


@dataclass
class ExampleFilter:
    source: str = ""
    matter: str = ""
    q: str = ""
    disabled: str = ""  # "", "yes" or "no"

    @classmethod
    def from_params(cls, params: Any) -> ExampleFilter:
        return cls(
            source=str(params.get("source", "") or "")[:16],
            matter=str(params.get("matter", "") or "").strip()[:32],
            q=str(params.get("q", "") or "").strip()[:100],
            disabled=str(params.get("disabled", "") or "")[:3],
        )


def examples_filtered(node: Jurisdiction, f: ExampleFilter) -> QuerySet[TrainingExample]:
    qs = access.examples_for(node).select_related("jurisdiction")
    if f.source in TrainingExample.Source.values:
        qs = qs.filter(source=f.source)
    if f.matter:
        qs = qs.filter(matter_code=f.matter)
    if f.q:
        qs = qs.filter(text__icontains=f.q)
    if f.disabled in ("yes", "no"):
        qs = qs.filter(disabled=f.disabled == "yes")
    return qs.order_by("-id")


def matter_names(node: Jurisdiction) -> dict[str, str]:
    return {code: e.matter.name for code, e in effective_catalog(node).items()}


def example_dict(e: TrainingExample, names: dict[str, str]) -> dict[str, object]:
    return {
        "id": e.pk,
        "text": e.text,
        "matter": e.matter_code,
        "matter_name": names.get(e.matter_code, ""),
        "source": e.source,
        "case_number": e.case_number,
        "jurisdiction": e.jurisdiction.code,
        "disabled": e.disabled,
        "created_at": e.created_at,
    }


def version_dict(v: ModelVersion) -> dict[str, object]:
    return {
        "id": v.pk,
        "number": v.number,
        "created_at": v.created_at,
        "examples": v.examples,
        "held_out": v.held_out,
        "accuracy": round(v.accuracy, 4),
        "baseline_accuracy": round(v.baseline_accuracy, 4),
        "active": v.active,
    }


def versions(node: Jurisdiction) -> list[ModelVersion]:
    return list(access.versions_for(node).defer("blob"))


def proposals(node: Jurisdiction, status: str = "") -> QuerySet[CatalogProposal]:
    qs = access.proposals_for(node)
    if status in CatalogProposal.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def proposal_dict(p: CatalogProposal, user: Any = None) -> dict[str, object]:
    return {
        "id": p.pk,
        "catalog": p.catalog.jurisdiction.code,
        "catalog_name": p.catalog.name,
        "raised_in": p.raised_in.code,
        "kind": p.kind,
        "status": p.status,
        "matter": p.matter_code,
        "words": list(p.words),
        "name": p.name,
        "lead_kind": p.lead_kind_id,
        "case_number": p.case_number,
        "note": p.note,
        "history": list(p.history),
        "can_decide": bool(
            user is not None
            and p.status == CatalogProposal.Status.PROPOSED
            and access.decides_proposal(user, p)
        ),
    }

"""Learning from the desk: confirmed and corrected matter types become training examples;
``model_version_train`` builds a new classifier version from the catalog and the examples,
scores it and the active version on a held-back slice of the examples, and activates it
only if it is not worse; ``model_version_rollback`` goes back to the previous version."""

from __future__ import annotations

import hashlib
import pickle
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.catalog import learned
from gongzhi.catalog.models import ModelVersion, TrainingExample
from gongzhi.catalog.normalise import canonical
from gongzhi.catalog.selectors import (
    catalog_bump_version,
    catalog_memo_clear,
    effective_catalog,
)
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import DomainError
from gongzhi.org.models import Estate, Jurisdiction

HELD_OUT_SHARE = 0.2
_LONG_DIGITS = re.compile(r"\d{5,}")


def training_example_record(
    *, estate: Estate, text: str, matter_code: str, source: str, case_number: str = ""
) -> TrainingExample | None:
    """Remember a text and its final matter (phones and ids masked). Nothing when the
    text is empty."""
    text = _LONG_DIGITS.sub("0", text).strip()
    if not text or not matter_code:
        return None
    return TrainingExample.objects.create(
        jurisdiction=estate.community,
        text=text[:2000],
        matter_code=matter_code,
        source=source,
        case_number=case_number,
    )


def _held_out(example: TrainingExample) -> bool:
    digest = hashlib.sha1(f"{example.pk}".encode()).digest()
    return digest[0] < 256 * HELD_OUT_SHARE


def _accuracy(model: learned.Model | None, examples: list[TrainingExample]) -> float:
    if model is None or not examples:
        return 0.0
    right = 0
    for example in examples:
        plain = canonical(example.text)
        indices, values = model.vector("", plain)
        probs = model.probabilities(indices, values, plain)
        if probs is not None and model.classes[int(probs.argmax())] == example.matter_code:
            right += 1
    return right / len(examples)


def active_version(jurisdiction: Jurisdiction) -> ModelVersion | None:
    return ModelVersion.objects.filter(jurisdiction=jurisdiction, active=True).first()


@transaction.atomic
def model_version_train(*, jurisdiction: Jurisdiction, actor: Any = None) -> ModelVersion:
    """Train a version for the jurisdiction's catalog with the examples recorded in its
    area; activate it if its accuracy on the held-back examples is not below the active
    version's (or the catalog-only model's)."""
    entries = effective_catalog(jurisdiction)
    examples = [
        e
        for e in TrainingExample.objects.filter(
            jurisdiction__path__startswith=jurisdiction.path, disabled=False
        ).order_by("id")
        if e.matter_code in entries
    ]
    held = [e for e in examples if _held_out(e)]
    train = [(e.text, e.matter_code) for e in examples if not _held_out(e)]
    candidate = learned.train(entries, extra=train)
    if candidate is None:
        raise DomainError(_("%(place)s的职责清单事项太少，无法训练") % {"place": jurisdiction.name})
    signature = learned.signature(entries)
    current = (
        ModelVersion.objects.select_for_update()
        .filter(jurisdiction=jurisdiction, active=True)
        .first()
    )
    if current is not None and current.catalog_signature == signature:
        baseline_model: learned.Model | None = pickle.loads(bytes(current.blob))
    else:
        baseline_model = learned.train(entries)
    accuracy = _accuracy(candidate, held)
    baseline = _accuracy(baseline_model, held)
    activate = accuracy >= baseline
    last = ModelVersion.objects.filter(jurisdiction=jurisdiction).order_by("-number").first()
    if activate and current is not None:
        ModelVersion.objects.filter(pk=current.pk, active=True).update(active=False)
    version = ModelVersion.objects.create(
        jurisdiction=jurisdiction,
        number=(last.number + 1) if last else 1,
        catalog_signature=signature,
        examples=len(train),
        held_out=len(held),
        accuracy=accuracy,
        baseline_accuracy=baseline,
        active=activate,
        blob=pickle.dumps(candidate),
    )
    audit_record(
        actor=actor,
        action="classifier.train",
        target=version,
        to_state="active" if activate else "inactive",
        reason=_("留出准确率 %(accuracy)s，原版本 %(baseline)s")
        % {"accuracy": f"{accuracy:.1%}", "baseline": f"{baseline:.1%}"},
        extra={"examples": len(train), "held_out": len(held), "activated": activate},
    )
    _models_changed()
    return version


@transaction.atomic
def model_version_rollback(*, jurisdiction: Jurisdiction, actor: Any = None) -> ModelVersion:
    """Deactivate the active version and activate the one trained before it."""
    current = (
        ModelVersion.objects.select_for_update()
        .filter(jurisdiction=jurisdiction, active=True)
        .first()
    )
    if current is None:
        raise DomainError(_("%(place)s没有启用中的模型版本") % {"place": jurisdiction.name})
    previous = (
        ModelVersion.objects.filter(jurisdiction=jurisdiction, number__lt=current.number)
        .order_by("-number")
        .first()
    )
    if previous is None:
        raise DomainError(_("%(place)s没有更早的模型版本可回退") % {"place": jurisdiction.name})
    if not ModelVersion.objects.filter(pk=current.pk, active=True).update(active=False):
        raise DomainError(_("模型版本已被他人更改，请重试"))
    ModelVersion.objects.filter(pk=previous.pk).update(active=True)
    previous.refresh_from_db()
    audit_record(
        actor=actor,
        action="classifier.rollback",
        target=previous,
        from_state=f"v{current.number}",
        to_state=f"v{previous.number}",
    )
    _models_changed()
    return previous


def _models_changed() -> None:
    # Every process re-reads its effective catalogs and with them the active version.
    catalog_memo_clear()
    transaction.on_commit(catalog_bump_version)


def model_versions_retrain() -> list[ModelVersion]:
    """Train a version for every jurisdiction with a catalog whose area has examples
    recorded since its last version (idempotent: nothing new, nothing trained)."""
    from gongzhi.catalog.models import Catalog

    trained: list[ModelVersion] = []
    for catalog in Catalog.objects.select_related("jurisdiction").order_by("jurisdiction__path"):
        place = catalog.jurisdiction
        examples = TrainingExample.objects.filter(
            jurisdiction__path__startswith=place.path, disabled=False
        )
        last = ModelVersion.objects.filter(jurisdiction=place).order_by("-number").first()
        if last is not None:
            examples = examples.filter(created_at__gt=last.created_at)
        # Examples count where the deepest catalog over them is; a province's reference
        # catalog is retrained only for places without their own.
        deeper = Catalog.objects.filter(
            jurisdiction__path__startswith=place.path, jurisdiction__depth__gt=place.depth
        ).values_list("jurisdiction__path", flat=True)
        if any(
            not any(e.jurisdiction.path.startswith(p) for p in deeper)
            for e in examples.select_related("jurisdiction")[:500]
        ):
            trained.append(model_version_train(jurisdiction=place))
    return trained


@transaction.atomic
def model_version_activate(*, version: ModelVersion, actor: Any = None) -> ModelVersion:
    """Make one version of a jurisdiction the active one (the office's page: roll back to
    any earlier version, or forward again)."""
    place = version.jurisdiction
    current = (
        ModelVersion.objects.select_for_update().filter(jurisdiction=place, active=True).first()
    )
    if current is not None and current.pk == version.pk:
        raise DomainError(_("该版本已在启用中"))
    if current is not None:
        ModelVersion.objects.filter(pk=current.pk, active=True).update(active=False)
    if not ModelVersion.objects.filter(pk=version.pk, active=False).update(active=True):
        raise DomainError(_("模型版本已被他人更改，请重试"))
    version.refresh_from_db()
    audit_record(
        actor=actor,
        action="classifier.activate",
        target=version,
        from_state=f"v{current.number}" if current else "",
        to_state=f"v{version.number}",
    )
    _models_changed()
    return version


@transaction.atomic
def training_example_set_disabled(
    *, example: TrainingExample, disabled: bool, actor: Any = None, reason: str = ""
) -> TrainingExample:
    """Take a wrong example out of training (or put it back). The next training no
    longer sees it; the row stays for the record."""
    if not TrainingExample.objects.filter(pk=example.pk, disabled=not disabled).update(
        disabled=disabled
    ):
        raise DomainError(_("训练样本已是该状态，或已被他人更改"))
    example.refresh_from_db()
    audit_record(
        actor=actor,
        action="classifier.example_disable" if disabled else "classifier.example_enable",
        target=example,
        from_state="enabled" if disabled else "disabled",
        to_state="disabled" if disabled else "enabled",
        reason=reason.strip(),
    )
    return example

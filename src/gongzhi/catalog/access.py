"""Who may read and act on a catalog's learning and change pages: the joint-conference
office of the jurisdiction (or one above it) and the platform admin. Anyone else gets
"not found", so another county's examples, versions and proposals do not exist for them.

A catalog change proposal is decided by the office that owns the catalog it changes (the
jurisdiction of that catalog file), and seen by it and by the office whose ruling raised it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.catalog.models import CatalogProposal, ModelVersion, TrainingExample
from gongzhi.common.errors import DB_INT_MAX, NotFound
from gongzhi.org.models import Jurisdiction
from gongzhi.org.permissions import scope_for


def office_jurisdiction(user: Any, code: str) -> Jurisdiction:
    """The jurisdiction whose office pages the user opens, or NotFound (404) when it does
    not exist or the user is not its office (another county, a unit, a resident)."""
    node = Jurisdiction.objects.filter(code=code[:64]).first()
    if node is None or not scope_for(user).manages_jurisdiction(node):
        raise NotFound(_("没有这个辖区，或您不是该辖区的联席会议办公室"))
    return node


def examples_for(node: Jurisdiction) -> QuerySet[TrainingExample]:
    return TrainingExample.objects.filter(jurisdiction__path__startswith=node.path)


def example_for(user: Any, pk: int) -> TrainingExample:
    if not 0 < pk <= DB_INT_MAX:
        raise NotFound(_("没有这条训练样本"))
    example = TrainingExample.objects.select_related("jurisdiction").filter(pk=pk).first()
    if example is None or not scope_for(user).manages_jurisdiction(example.jurisdiction):
        raise NotFound(_("没有这条训练样本"))
    return example


def versions_for(node: Jurisdiction) -> QuerySet[ModelVersion]:
    return ModelVersion.objects.filter(jurisdiction=node).order_by("-number")


def version_for(user: Any, pk: int) -> ModelVersion:
    if not 0 < pk <= DB_INT_MAX:
        raise NotFound(_("没有这个模型版本"))
    version = ModelVersion.objects.select_related("jurisdiction").filter(pk=pk).first()
    if version is None or not scope_for(user).manages_jurisdiction(version.jurisdiction):
        raise NotFound(_("没有这个模型版本"))
    return version


def proposals_for(node: Jurisdiction) -> QuerySet[CatalogProposal]:
    """Proposals changing a catalog at or below the node, or raised in its area."""
    return CatalogProposal.objects.filter(
        Q(catalog__jurisdiction__path__startswith=node.path)
        | Q(raised_in__path__startswith=node.path)
    ).select_related("catalog__jurisdiction", "raised_in", "lead_kind")


def _sees(user: Any, proposal: CatalogProposal) -> bool:
    scope = scope_for(user)
    return scope.manages_jurisdiction(proposal.catalog.jurisdiction) or scope.manages_jurisdiction(
        proposal.raised_in
    )


def proposal_for(user: Any, pk: int) -> CatalogProposal:
    if not 0 < pk <= DB_INT_MAX:
        raise NotFound(_("没有这条清单修改建议"))
    proposal = (
        CatalogProposal.objects.select_related("catalog__jurisdiction", "raised_in", "lead_kind")
        .filter(pk=pk)
        .first()
    )
    if proposal is None or not _sees(user, proposal):
        raise NotFound(_("没有这条清单修改建议"))
    return proposal


def decides_proposal(user: Any, proposal: CatalogProposal) -> bool:
    """The owner of the catalog: its jurisdiction's office (or one above, or the admin)."""
    return scope_for(user).manages_jurisdiction(proposal.catalog.jurisdiction)

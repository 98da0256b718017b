"""A ruling on a unit's return (overrule, or a re-dispatch that upholds the return) may
carry a proposed catalog change (issue 13 item 6): both are written in one transaction,
and a bad proposal changes nothing, the ruling included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case, State
from gongzhi.catalog.proposals import catalog_proposal_create
from gongzhi.common.errors import FieldError, InvalidInput


def case_ruling_proposal(case: Case, actor: Any, data: Any, run: Callable[[], Case]) -> Case:
    """Run the ruling ``run``; when ``data.proposal_kind`` is set, also record the
    proposal (``data`` carries the ``proposal_*`` fields of actions.ProposalFields)."""
    kind = (getattr(data, "proposal_kind", "") or "").strip()
    if not kind:
        return run()
    if case.state != State.RETURNED:
        raise InvalidInput(
            errors=[FieldError("proposal_kind", _("只有裁定单位退回时可以提出清单修改建议"))]
        )
    number, place = case.number, case.estate.community
    with transaction.atomic():
        done = run()
        catalog_proposal_create(
            place=place,
            kind=kind,
            matter_code=data.proposal_matter,
            words=data.proposal_words,
            name=data.proposal_name,
            lead_kind=data.proposal_lead_kind,
            note=getattr(data, "reason", ""),
            case_number=number,
            actor=actor,
        )
    return done

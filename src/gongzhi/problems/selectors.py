"""Reads of coordinated problem solving: an estate's problems for its sides, a problem's
timeline, and what the public board shows (002 (三)第一条: the agreed opinion of each daily
problem, the progress and answers of each major or historical one; 第七条 matters and their
state) — free text passed through the case masking, no participants, no personal names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gongzhi.cases.masking import mask_text
from gongzhi.common.audit import audit_trail
from gongzhi.org.models import Estate
from gongzhi.problems import workflow
from gongzhi.problems.events import ProblemsEvent
from gongzhi.problems.models import (
    CLOSED_STATES,
    EarlyMatter,
    Invitation,
    Note,
    Problem,
    State,
)

# A solved problem stays on the board this long after it was closed.
BOARD_KEEP_DAYS = 90


def is_overdue(problem: Problem, now: dt.datetime | None = None) -> bool:
    return (
        problem.closed_at is None
        and problem.due_at is not None
        and problem.due_at < (now or timezone.now())
    )


def overdue(qs: QuerySet[Problem], now: dt.datetime | None = None) -> QuerySet[Problem]:
    return qs.filter(closed_at__isnull=True, due_at__lt=now or timezone.now())


def timeline(obj: Any) -> list[dict[str, Any]]:
    """The audit events of a problem or an early matter, oldest first, with state labels."""
    labels = {**dict(EarlyMatter.State.choices), **dict(State.choices)}
    moves = {m.name: m.label for spec in workflow.TIERS.values() for m in spec.moves}
    moves.update({m.name: m.label for m in workflow.EARLY_MOVES})
    events = dict(ProblemsEvent.choices)
    rows = []
    for e in audit_trail(obj).order_by("created_at", "id"):
        rows.append(
            {
                "at": e.created_at,
                "action": e.action,
                "move": (e.extra or {}).get("move", ""),
                "label": str(
                    moves.get((e.extra or {}).get("move", ""), events.get(e.action, e.action))
                ),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "to_label": str(labels.get(e.to_state, e.to_state)),
                "unit": e.actor_unit.name if e.actor_unit else "",
                "actor": (e.actor.display_name or e.actor.username) if e.actor else "",
                "reason": e.reason,
            }
        )
    return rows


def move_labels(problem: Problem) -> dict[str, str]:
    """The tier's own label of each move (the registry's are generic)."""
    return {m.name: str(m.label) for m in workflow.TIERS[problem.tier].moves}


def board_problems(estate: Estate, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The problems on the estate's public board with their public notes."""
    since = (now or timezone.now()) - dt.timedelta(days=BOARD_KEEP_DAYS)
    notes = Prefetch("notes", queryset=Note.objects.select_related("unit").order_by("created_at"))
    qs = (
        Problem.objects.filter(estate=estate)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
        .prefetch_related(notes)
        .order_by("-created_at", "-id")[:100]
    )
    return [public_problem(p) for p in qs]


def public_problem(p: Problem) -> dict[str, Any]:
    return {
        "id": p.pk,
        "tier": p.tier,
        "tier_label": str(p.get_tier_display()),
        "title": mask_text(p.title),
        "state": p.state,
        "state_label": str(p.get_state_display()),
        "lead_party": str(p.get_lead_party_display()),
        "source": workflow.TIERS[p.tier].source,
        "raised_on": timezone.localtime(p.created_at).date(),
        "due": timezone.localtime(p.due_at).date() if p.due_at else None,
        "closed": p.state in CLOSED_STATES,
        "notes": [
            {
                "kind": n.kind,
                "kind_label": str(n.get_kind_display()),
                "text": mask_text(n.text),
                "unit": n.unit.name if n.unit else "",
                "date": timezone.localtime(n.created_at).date(),
            }
            for n in p.notes.all()
        ],
    }


def board_matters(estate: Estate) -> list[dict[str, Any]]:
    invitations = Prefetch("invitations", queryset=Invitation.objects.order_by("body"))
    qs = (
        EarlyMatter.objects.filter(estate=estate)
        .exclude(state=EarlyMatter.State.WITHDRAWN)
        .prefetch_related(invitations)
        .order_by("-created_at", "-id")[:50]
    )
    return [public_matter(m) for m in qs]


def public_matter(m: EarlyMatter) -> dict[str, Any]:
    invited = {i.body: i for i in m.invitations.all()}
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": str(m.get_kind_display()),
        "title": mask_text(m.title),
        "state": m.state,
        "state_label": str(m.get_state_display()),
        "source": workflow.EARLY_SOURCE,
        "invitations": [
            {
                "body": b,
                "body_label": str(Invitation.Body(b).label),
                "invitee": invited[b].invitee if b in invited else "",
                "invited_on": invited[b].invited_on if b in invited else None,
            }
            for b in workflow.EARLY_INVITEES
        ],
        "decision": mask_text(m.decision),
        "outcome": mask_text(m.outcome),
    }

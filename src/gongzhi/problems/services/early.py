"""Early intervention (002 (二)第七条): a large maintenance-fund spending, a change of
property company or of the property fee is raised; the conference office invites the
street and the community party organisation; only then may the matter be decided
(workflow.early_require refuses otherwise), and then carried out."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, FieldError, InvalidInput
from gongzhi.org.models import Estate, User
from gongzhi.problems import access, workflow
from gongzhi.problems.events import ProblemsEvent
from gongzhi.problems.models import EarlyMatter, Invitation

STALE = _("该事项已被他人更新，请刷新后重试")
RAISERS = ("three_party", "rc", "office")


@transaction.atomic
def early_matter_raise(
    *, actor: User, estate: Estate, kind: str, title: str, description: str = ""
) -> EarlyMatter:
    unit = access.acting_unit(actor, estate, RAISERS)
    errors = []
    if kind not in EarlyMatter.Kind.values:
        errors.append(FieldError("kind", _("取值不在允许范围内")))
    if not title.strip():
        errors.append(FieldError("title", _("请写明事项")))
    if errors:
        raise InvalidInput(errors=errors)
    matter = EarlyMatter.objects.create(
        estate=estate,
        kind=kind,
        title=title.strip()[:120],
        description=description.strip(),
        raised_by=unit,
    )
    audit_record(
        actor=actor,
        action=ProblemsEvent.EARLY_RAISE,
        target=matter,
        unit=unit,
        to_state=matter.state,
        extra={"estate": estate.code, "kind": kind},
    )
    return matter


def _bump(matter: EarlyMatter, expected_version: int, **fields: object) -> None:
    count = EarlyMatter.objects.filter(
        pk=matter.pk, version=expected_version, state=matter.state
    ).update(version=F("version") + 1, updated_at=timezone.now(), **fields)
    if count != 1:
        raise Conflict(STALE)


@transaction.atomic
def early_invite(
    *,
    actor: User,
    matter: EarlyMatter,
    expected_version: int,
    body: str,
    invited_on: dt.date,
    invitee: str = "",
    note: str = "",
) -> EarlyMatter:
    """Record that ``body`` was invited; once every body is, the matter is ``invited``."""
    if matter.version != expected_version:
        raise Conflict(STALE)
    move = workflow.early_require(matter, "invite", set(access.sides(actor, matter.estate)))
    errors = []
    if body not in Invitation.Body.values:
        errors.append(FieldError("body", _("取值不在允许范围内")))
    elif matter.invitations.filter(body=body).exists():
        errors.append(FieldError("body", _("已邀请过该方")))
    if invited_on > timezone.localdate():
        errors.append(FieldError("invited_on", _("日期不能晚于今天")))
    if errors:
        raise InvalidInput(errors=errors)
    unit = access.acting_unit(actor, matter.estate, move.sides)
    name = invitee.strip()[:100] or _default_invitee(matter.estate, body)
    try:
        with transaction.atomic():
            Invitation.objects.create(
                matter=matter,
                body=body,
                invitee=name,
                invited_on=invited_on,
                note=note.strip(),
                unit=unit,
            )
    except IntegrityError as exc:
        raise Conflict(STALE) from exc
    complete = not workflow.missing_invitations(matter)
    old = matter.state
    new = EarlyMatter.State.INVITED if complete else old
    _bump(matter, expected_version, state=new)
    matter.refresh_from_db()
    audit_record(
        actor=actor,
        action=ProblemsEvent.EARLY_INVITE,
        target=matter,
        unit=unit,
        from_state=old,
        to_state=new,
        reason=note.strip()[:500],
        extra={"body": body, "invitee": name},
    )
    return matter


def _default_invitee(estate: Estate, body: str) -> str:
    from gongzhi.parties.access import party_units
    from gongzhi.parties.models import Party

    if body == Invitation.Body.STREET:
        ids = party_units(estate)[Party.STREET]
        if ids:
            from gongzhi.org.models import Unit

            return Unit.objects.get(pk=ids[0]).name
        return str(_("街道办事处"))
    return _("%(community)s党组织") % {"community": estate.community.name}


# move → the field its text is written to.
TEXT_FIELDS = {"decide": "decision", "carry_out": "outcome", "withdraw": ""}


@transaction.atomic
def early_transition(
    *, actor: User, matter: EarlyMatter, move: str, expected_version: int, text: str
) -> EarlyMatter:
    """Decide (only with every invitation on record), carry out, or withdraw."""
    if matter.version != expected_version:
        raise Conflict(STALE)
    if move not in TEXT_FIELDS:
        raise InvalidInput(errors=[FieldError("move", _("取值不在允许范围内"))])
    m = workflow.early_require(matter, move, set(access.sides(actor, matter.estate)))
    if not text.strip():
        raise InvalidInput(errors=[FieldError("text", _("请写明内容"))])
    unit = access.acting_unit(actor, matter.estate, m.sides)
    field = TEXT_FIELDS[move]
    old = matter.state
    assert m.to is not None
    _bump(matter, expected_version, state=m.to, **({field: text.strip()} if field else {}))
    matter.refresh_from_db()
    audit_record(
        actor=actor,
        action=ProblemsEvent.EARLY_MOVE,
        target=matter,
        unit=unit,
        from_state=old,
        to_state=matter.state,
        reason=text.strip()[:500],
        extra={"move": move},
    )
    return matter

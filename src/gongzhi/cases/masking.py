"""Personal data of a case as each reader may see it (PIPL): names, phones, ID numbers and
rooms masked in free text, the reporter's own fields whole to the sides that handle the case
(``access.Viewer.sees_reporter``) and masked to everyone else, and the public summary.
``cases.access`` re-exports these names; who sees what is decided there."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.cases.models import Case, CaseCall
from gongzhi.org.models import User

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[-\s]?\d{7,8}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![\dA-Za-z])")
# i18n: data (matches room numbers as residents write them)
_ROOM = re.compile(
    r"(\d+\s*(?:号楼|栋|幢|号|楼)\s*(?:\d+\s*单元)?\s*)\d{3,4}(\s*(?:室|号|户)?)"
    r"|(?<![\d-])(\d{1,3}-\d{1,2}-)\d{3,4}(?![\d-])"
)


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * len(digits)


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Free text with phone numbers, ID numbers and room numbers masked, and the given
    names (the reporter's) replaced by their masked form."""
    if not text:
        return text
    out = _ID_NUMBER.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    out = _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), out)
    out = _LANDLINE.sub(lambda m: m.group(1) + "-********", out)
    out = _ROOM.sub(_room_masked, out)
    for name in names:
        if name and len(name) >= 2:
            out = out.replace(name, mask_name(name))
    return out


def _room_masked(m: re.Match[str]) -> str:
    if m.group(3):
        return m.group(3) + "***"
    return (m.group(1) or "") + "***" + (m.group(2) or "")


@dataclass(frozen=True)
class CaseText:
    """What a reader sees of a case's personal and free-text fields."""

    reporter_name: str
    reporter_phone: str
    room: str
    title: str
    description: str
    location: str
    result: str
    place: str
    visible: bool


def case_text(case: Case, visible: bool) -> CaseText:
    """The one function that decides which reporter data a reader sees: all of it when
    ``visible`` (``Viewer.sees_reporter``), masked otherwise."""
    if visible:
        return CaseText(
            reporter_name=case.reporter_name,
            reporter_phone=case.reporter_phone,
            room=case.room,
            title=case.title,
            description=case.description,
            location=case.location,
            result=case.result,
            place=case.place_label(with_room=True),
            visible=True,
        )
    names = [case.reporter_name] if case.reporter_name else []
    return CaseText(
        reporter_name=mask_name(case.reporter_name),
        reporter_phone=mask_phone(case.reporter_phone),
        room="***" if case.room else "",
        title=mask_text(case.title, names=names),
        description=mask_text(case.description, names=names),
        location=mask_text(case.location, names=names),
        result=mask_text(case.result, names=names),
        place=mask_text(case.place_label(with_room=False), names=names),
        visible=False,
    )


@dataclass(frozen=True)
class CallText:
    """What a reader sees of a repeat call attached to a case."""

    at: Any
    channel: str
    caller_name: str
    caller_phone: str
    note: str


def call_text(call: CaseCall, visible: bool) -> CallText:
    """A repeat call's caller as the reporter is shown: whole to the handling sides
    (``visible``), masked to everyone else."""
    if visible:
        name, phone, note = call.caller_name, call.caller_phone, call.note
    else:
        names = [call.caller_name] if call.caller_name else []
        name, phone = mask_name(call.caller_name), mask_phone(call.caller_phone)
        note = mask_text(call.note, names=names)
    return CallText(call.created_at, call.get_channel_display(), name, phone, note)


def actor_label(event: Any, case: Case, visible: bool) -> str:
    """Who did it, as a timeline shows: a resident actor (the reporter) is masked like
    the reporter (issue 8 defect 4); the sweep and services without an actor are 系统."""
    actor = event.actor
    if actor is None and (event.extra or {}).get("via") == "link":
        return _("诉求人（凭专属链接）")
    if actor is None:
        return "" if event.actor_unit_id else _("系统")
    if case.reporter_user_id and actor.pk == case.reporter_user_id:
        return (
            _("诉求人 %(display_name)s") % {"display_name": display_name(actor)}
            if visible
            else _("诉求人")
        )
    return str(actor)


def display_name(user: User) -> str:
    """A person's name, without the role words some demo accounts carry."""
    person = getattr(user, "person", None)
    if person is not None and person.name:
        return str(person.name)
    return user.get_full_name() or user.display_name or user.username


def public_summary(case: Case) -> str:
    """What the public board says of a case: the office's approved summary, or the
    matter's name at the estate — never the reporter's own words (issue 7 defect 9)."""
    if case.public_summary:
        return case.public_summary
    matter = case.matter.name if case.matter_id and case.matter else _("诉求")
    return f"{case.estate.name}：{matter}"

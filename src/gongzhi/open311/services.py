"""The one write of Open311: ``POST requests`` registers a case through the intake
service (cases.services.case_register_or_replay), as ``POST /api/cases/`` does, with the
integration token that ``api_key`` names: cases/access.py's ``intake_right`` decides
whether the token's account may register through the channel, for that estate."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, Urgency
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput, PermissionDenied
from gongzhi.open311 import estates
from gongzhi.open311.models import RequestToken
from gongzhi.open311.services_list import (
    COMMON_ATTRIBUTES,
    attributes_for,
    entry_for,
    jurisdiction_for,
)

# The standard's own fields, with the longest value accepted.
FIELDS = {
    "jurisdiction_id": 20,
    "service_code": 40,
    "lat": 30,
    "long": 30,
    "address_string": 200,
    "address_id": 32,
    "email": 100,
    "device_id": 100,
    "account_id": 100,
    "first_name": 25,
    "last_name": 25,
    "phone": 20,
    "description": 4000,
    "media_url": 500,
}
_ATTRIBUTE = re.compile(r"^attribute\[([a-z_]{1,20})\](\[\])?$")


@dataclass
class Created:
    case: Case
    token: str


def _attributes(form: Any, errors: list[FieldError]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in form:
        if not key.startswith("attribute"):
            continue
        m = _ATTRIBUTE.match(key)
        if m is None:
            errors.append(FieldError(key[:40], _("属性名应为 attribute[代码]")))
            continue
        values = [v.strip() for v in form.getlist(key) if v.strip()]
        if len(values) > 1:
            errors.append(FieldError(key, _("只能填一个值")))
        elif values:
            found[m.group(1)] = values[0]
        if found.get(m.group(1), "") and len(found[m.group(1)]) > 32:
            errors.append(FieldError(key, _("太长（不超过 %(n)s 个字）") % {"n": 32}))
    return found


def _read(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    errors: list[FieldError] = []
    values = {}
    for name, longest in FIELDS.items():
        value = (form.get(name) or "").strip()
        if len(value) > longest:
            errors.append(FieldError(name, _("太长（不超过 %(n)s 个字）") % {"n": longest}))
        values[name] = value
    if not values["service_code"]:
        errors.append(FieldError("service_code", _("必填")))
    attributes = _attributes(form, errors)
    if errors:
        raise InvalidInput(errors=errors)
    return values, attributes


def _channel(token: Any, attributes: dict[str, str]) -> str:
    """The channel the case came in by: ``attribute[channel]``, else the first channel
    the token was granted (``gongzhi token --channels``). Whether that is allowed is
    intake's question to cases/access.py."""
    if attributes.get("channel"):
        return attributes["channel"]
    granted = list(token.channels or [])
    if not granted:
        raise PermissionDenied(_("该接口令牌未获授权登记诉求（gongzhi token --channels）"))
    return str(granted[0])


def open311_request_create(*, token: Any, form: Any) -> Created:
    """Register the request as a case and hand back a token for ``tokens/{token}``.
    ``token`` is the integration's ApiToken row (its user is the actor)."""
    values, attributes = _read(form)
    jurisdiction = jurisdiction_for(values["jurisdiction_id"])
    entry = entry_for(jurisdiction, values["service_code"])
    errors: list[FieldError] = []
    estate = estates.resolve(
        jurisdiction,
        attribute=attributes.get("estate", ""),
        address_id=values["address_id"],
        address_string=values["address_string"],
        lat=values["lat"],
        lon=values["long"],
    )
    if isinstance(estate, list):
        errors += estate
    known = {a.code for a in attributes_for(entry.matter)} | set(COMMON_ATTRIBUTES)
    for code in sorted(set(attributes) - known):
        errors.append(FieldError(f"attribute[{code}]", _("该服务没有这个属性")))
    for a in attributes_for(entry.matter):
        if a.required and not attributes.get(a.code):
            errors.append(
                FieldError(f"attribute[{a.code}]", _("必填：%(what)s") % {"what": a.description})
            )
    urgency = attributes.get("urgency", Urgency.NORMAL)
    if urgency not in Urgency.values:
        errors.append(FieldError("attribute[urgency]", _("只能是 normal、urgent 或 critical")))
    if errors:
        raise InvalidInput(errors=errors)
    assert not isinstance(estate, list)
    description = values["description"]
    if values["media_url"]:
        # i18n: data (part of the case's stored text, as the resident's words are)
        description = f"{description}\n图片链接：{values['media_url']}".strip()
    place = values["address_string"]
    if values["lat"] and values["long"]:
        place = f"{place}（{values['lat']},{values['long']}）".strip()
    key = secrets.token_hex(8)
    title_source = values["description"].splitlines()[0] if values["description"] else ""
    with transaction.atomic():
        case, _created = case_services.case_register_or_replay(
            channel=_channel(token, attributes),
            estate=estate,
            title=(title_source[:40] or entry.matter.name),
            description=description,
            matter_code=entry.matter.code,
            reporter_name=(values["last_name"] + values["first_name"]),
            reporter_phone=values["phone"],
            building=attributes.get("building", ""),
            unit_no=attributes.get("unit_no", ""),
            room=attributes.get("room", ""),
            location=place[:200],
            urgency=urgency,
            external_ref=f"open311:{key}",
            actor=token.user,
            token=token,
        )
        RequestToken.objects.create(token=key, case=case)
        audit_record(actor=token.user, action="open311.request_create", target=case)
    return Created(case=case, token=key)

"""Intake: registering a case through any channel, with its ledger number, its route by
the duty catalog, its attachments, an idempotency key scoped to the caller, and the
secret the reporter follows it with."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import access
from gongzhi.cases.models import Case, Channel, EnforcementStep, State, Urgency
from gongzhi.cases.services.events import event, event_row, events_save, notify, now_or
from gongzhi.cases.services.files import check_uploads, store_uploads
from gongzhi.cases.services.ledger import ledger_jurisdiction, next_number
from gongzhi.cases.services.messages import to_reporter
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.routing import RouteResult, handling_level, route_entry
from gongzhi.catalog.selectors import catalog_version, matter_lookup
from gongzhi.catalog.timelimits import due_after
from gongzhi.common.errors import FieldError, InvalidInput, PermissionDenied
from gongzhi.common.uploads import CheckedUpload
from gongzhi.notify.models import EventType
from gongzhi.org.models import Estate, Jurisdiction, Unit, UnitKind

DEFAULT_ACCEPT_LIMIT = "1wd"
DEFAULT_RESOLVE_LIMIT = "15wd"
# An alphabet without look-alikes (0/O, 1/I/L) for the secret read over the phone.
TRACK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACK_KEY_LENGTH = 8


# --- the intake memo ------------------------------------------------------------------------

# Intake looks up the same estates and routes the same matters over and over. Outside a
# transaction (a web request runs in autocommit) the estate row and the routing result are
# memoised per process for INTAKE_MEMO_SECONDS, keyed with the catalog version (bumped by
# every catalog import); a save or delete of a unit, unit kind, estate, jurisdiction or
# matter type in this process clears the memo at once, other processes see the change
# within INTAKE_MEMO_SECONDS (as with API tokens). Inside a transaction nothing is
# memoised or read from the memo, so a caller's uncommitted changes are never cached.
INTAKE_MEMO_SECONDS = 10.0
INTAKE_MEMO_SIZE = 20_000
_intake_memo: dict[tuple[Any, ...], tuple[float, Any]] = {}
_intake_lock = threading.Lock()


def intake_memo_clear(**kwargs: Any) -> None:
    with _intake_lock:
        _intake_memo.clear()
    # Jurisdiction rows saved anew (a rebuilt database) give estates' ledgers new keys.
    ledger_jurisdiction.cache_clear()


for _model in (Estate, Unit, UnitKind, Jurisdiction, MatterType):
    post_save.connect(intake_memo_clear, sender=_model, dispatch_uid=f"intake-memo-{_model}")
    post_delete.connect(intake_memo_clear, sender=_model, dispatch_uid=f"intake-memo-d-{_model}")


def _memoised(key: tuple[Any, ...], build: Any) -> Any:
    if connection.in_atomic_block:
        return build()
    now = time.monotonic()
    hit = _intake_memo.get(key)
    if hit is not None and now - hit[0] < INTAKE_MEMO_SECONDS:
        return hit[1]
    value = build()
    with _intake_lock:
        if len(_intake_memo) >= INTAKE_MEMO_SIZE:
            _intake_memo.clear()
        _intake_memo[key] = (now, value)
    return value


def estate_by_code(code: str) -> Estate | None:
    return _memoised(  # type: ignore[no-any-return]
        ("estate", code),
        lambda: (
            Estate.objects.select_related(
                "community",
                "property_company__kind",
                "owners_committee__kind",
                "custodian_company__kind",
            )
            .filter(code=code)
            .first()
        ),
    )


def route_for(estate: Estate, matter_code: str) -> tuple[MatterType, RouteResult] | None:
    def build() -> tuple[MatterType, RouteResult] | None:
        entry = matter_lookup(estate.community, matter_code)
        if entry is None:
            return None
        return entry.matter, route_entry(estate=estate, entry=entry)

    return _memoised(  # type: ignore[no-any-return]
        ("route", estate.pk, estate.community_id, matter_code, catalog_version()), build
    )


def limits(matter: MatterType | None, now: dt.datetime) -> dict[str, dt.datetime | None]:
    accept = (matter.accept_limit if matter else "") or DEFAULT_ACCEPT_LIMIT
    resolve = (matter.time_limit if matter else "") or DEFAULT_RESOLVE_LIMIT
    response = matter.response_limit if matter else ""
    return {
        "accept_due_at": due_after(now, accept),
        "response_due_at": due_after(now, response) if response else None,
        "resolve_due_at": due_after(now, resolve),
    }


# --- idempotency and the reporter's secret --------------------------------------------------


def caller_key(actor: Any, *, anonymous: bool) -> str:
    """Whose idempotency keys these are: an account's own, the public form's, or the
    system's (demo data, imports)."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if user is not None:
        return f"u{user.pk}"
    return "anon" if anonymous else "sys"


def request_digest(fields: dict[str, Any], uploads: Sequence[CheckedUpload]) -> str:
    body = {**fields, "uploads": sorted(u.sha256 for u in uploads)}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def track_key_new() -> tuple[str, str]:
    """A secret for the reporter to follow the case with, and its stored hash."""
    key = "".join(secrets.choice(TRACK_ALPHABET) for _i in range(TRACK_KEY_LENGTH))
    return key, track_key_hash(key)


def track_key_hash(key: str) -> str:
    normal = key.strip().upper().replace(" ", "").replace("-", "")
    return hashlib.sha256(f"gongzhi-track:{normal}".encode()).hexdigest()


def _replay(key: str, digest: str) -> Case | None:
    """The caller's earlier case under ``key``; a different body under the same key is
    refused, never answered with the other body's case."""
    found = Case.objects.filter(idempotency_key=key).order_by().values("pk", "idempotency_digest")
    row = next(iter(found[:1]), None)
    if row is None:
        return None
    if row["idempotency_digest"] and row["idempotency_digest"] != digest:
        raise InvalidInput(
            errors=[
                FieldError(
                    "idempotency_key",
                    _("该幂等键已用于另一份内容不同的诉求；重试请原样提交，新诉求请换用新的幂等键"),
                )
            ],
            summary=_("幂等键冲突"),
        )
    return Case.objects.select_related("estate", "matter", "lead_unit", "level").get(pk=row["pk"])


# --- registering ----------------------------------------------------------------------------


def case_register_or_replay(
    *,
    channel: str,
    estate: Estate | str,
    title: str,
    description: str,
    matter_code: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_user: Any = None,
    reporting_unit: Unit | str | None = None,
    building: str = "",
    unit_no: str = "",
    room: str = "",
    location: str = "",
    urgency: str = Urgency.NORMAL,
    idempotency_key: str | None = None,
    external_ref: str = "",
    is_enforcement: bool = False,
    uploads: Sequence[Any] = (),
    actor: Any = None,
    anonymous: bool = False,
    token: Any = None,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Register a case, route it by the duty catalog (or leave it on the office's desk),
    and say whether it is new: the same idempotency key of the same caller returns the
    earlier case with False. ``actor`` registers (None: the public form with
    ``anonymous``, else the system). A new case carries ``track_key``, the reporter's
    secret (shown once)."""
    now = now_or(now)
    scoped = (
        f"{caller_key(actor, anonymous=anonymous)}:{idempotency_key}" if idempotency_key else None
    )
    estate_obj = estate_by_code(estate) if isinstance(estate, str) else estate
    fields = _normalised(
        channel=channel,
        estate=estate_obj.code if estate_obj else str(estate),
        title=title,
        description=description,
        matter_code=matter_code,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        building=building,
        unit_no=unit_no,
        room=room,
        location=location,
        urgency=urgency,
        external_ref=external_ref,
        reporting_unit=reporting_unit.code if isinstance(reporting_unit, Unit) else reporting_unit,
        is_enforcement=is_enforcement,
    )
    checked, upload_errors = check_uploads(uploads)
    digest = request_digest(fields, checked) if scoped else ""
    if scoped and (earlier := _replay(scoped, digest)) is not None:
        return earlier, False
    unit_obj, reporter_user, routed = _validated(
        fields, estate_obj, reporting_unit, reporter_user, upload_errors, actor, anonymous, token
    )
    assert estate_obj is not None
    try:
        with transaction.atomic():
            case = _register(
                fields=fields,
                estate=estate_obj,
                routed=routed,
                reporter_user=reporter_user,
                reporting_unit=unit_obj,
                idempotency_key=scoped,
                digest=digest,
                uploads=checked,
                actor=actor,
                now=now,
            )
    except IntegrityError:
        if scoped and (earlier := _replay(scoped, digest)) is not None:
            return earlier, False
        raise
    return case, True


def _validated(
    fields: dict[str, Any],
    estate: Estate | None,
    reporting_unit: Unit | str | None,
    reporter_user: Any,
    upload_errors: list[FieldError],
    actor: Any,
    anonymous: bool,
    token: Any,
) -> tuple[Unit | None, Any, tuple[MatterType, RouteResult] | None]:
    """Every check of a registration, all errors at once: the reporting unit, who may
    register what (``access.intake_right``; a resident for themselves), the fields, the
    matter, the files."""
    errors: list[FieldError] = []
    if estate is None:
        errors.append(
            FieldError("estate", _("小区编码“%(estate)s”不存在") % {"estate": fields["estate"]})
        )
    unit = _reporting_unit(reporting_unit, actor, errors)
    resident = _intake_check(actor, anonymous, token, estate, fields["channel"], errors)
    if resident is not None:
        reporter_user = resident
        fields["reporter_name"] = fields["reporter_name"] or access.display_name(resident)
        fields["reporter_phone"] = fields["reporter_phone"] or (resident.phone or "")
    errors += _check_fields(fields, unit)
    routed = _route_or_error(estate, str(fields["matter_code"]), errors)
    errors += upload_errors
    if errors:
        raise InvalidInput(errors=errors)
    return unit, reporter_user, routed


def _normalised(**raw: Any) -> dict[str, Any]:
    """The request's fields as stored: trimmed, the phone without spaces or dashes."""
    fields = {
        k: (v or "").strip() if isinstance(v, str) or v is None else v for k, v in raw.items()
    }
    fields["reporter_phone"] = fields["reporter_phone"].replace(" ", "").replace("-", "")
    return fields


def _route_or_error(
    estate: Estate | None, matter_code: str, errors: list[FieldError]
) -> tuple[MatterType, RouteResult] | None:
    if not matter_code or estate is None:
        return None
    routed = route_for(estate, matter_code)
    if routed is None:
        errors.append(
            FieldError(
                "matter_code",
                _("该小区适用的职责清单中没有事项“%(matter_code)s”") % {"matter_code": matter_code},
            )
        )
    return routed


def case_register(**kwargs: Any) -> Case:
    """``case_register_or_replay`` returning only the case."""
    return case_register_or_replay(**kwargs)[0]


def _reporting_unit(value: Unit | str | None, actor: Any, errors: list[FieldError]) -> Unit | None:
    """The discovering or referring unit: a unit of the actor's own (the system may
    name any)."""
    if value is None or value == "":
        return None
    unit = value if isinstance(value, Unit) else Unit.objects.filter(code=value).first()
    if unit is None:
        errors.append(
            FieldError("reporting_unit", _("单位编码“%(value)s”不存在") % {"value": value})
        )
        return None
    if actor is not None and not access.viewer(actor).scope.in_unit(unit):
        raise PermissionDenied(_("只能以本单位名义登记巡查发现或移交"))
    return unit


def _intake_check(
    actor: Any,
    anonymous: bool,
    token: Any,
    estate: Estate | None,
    channel: str,
    errors: list[FieldError],
) -> Any:
    """Apply ``access.intake_right``; return the resident account when the reporter is
    the actor."""
    if anonymous:
        if channel != Channel.WEB:
            raise PermissionDenied(_("未登录只能通过网上报事登记诉求"))
        return None
    if actor is None or estate is None or channel not in Channel.values:
        return None
    right = access.intake_right(actor, token=token)
    why = right.refusal(estate, channel)
    if why is not None:
        if right.channels and channel not in right.channels:
            errors.append(FieldError("channel", why))
        elif right.channels:
            errors.append(FieldError("estate", why))
        else:
            raise PermissionDenied(why)
    return actor if right.as_resident else None


def _check_fields(f: dict[str, Any], unit: Unit | None) -> list[FieldError]:
    errors: list[FieldError] = []
    channel = f["channel"]
    if channel not in Channel.values:
        errors.append(FieldError("channel", _("未知来源渠道“%(channel)s”") % {"channel": channel}))
    if f["urgency"] not in Urgency.values:
        errors.append(
            FieldError("urgency", _("未知紧急程度“%(urgency)s”") % {"urgency": f["urgency"]})
        )
    if not f["title"]:
        errors.append(FieldError("title", _("请填写标题")))
    elif len(f["title"]) > 120:
        errors.append(FieldError("title", _("标题不能超过 120 个字")))
    if not f["description"]:
        errors.append(FieldError("description", _("请填写诉求内容")))
    elif len(f["description"]) > 5000:
        errors.append(FieldError("description", _("诉求内容不能超过 5000 个字")))
    phone = f["reporter_phone"]
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors.append(FieldError("reporter_phone", _("电话号码应为 7 到 12 位数字")))
    if len(f["reporter_name"]) > 50:
        errors.append(FieldError("reporter_name", _("姓名不能超过 50 个字")))
    for name, label in (("building", _("楼栋")), ("unit_no", _("单元")), ("room", _("房号"))):
        if len(f[name]) > 20:
            errors.append(FieldError(name, _("%(label)s不能超过 20 个字") % {"label": label}))
    if len(f["location"]) > 200:
        errors.append(FieldError("location", _("具体位置不能超过 200 个字")))
    if len(f["external_ref"]) > 64:
        errors.append(FieldError("external_ref", _("外部工单号不能超过 64 个字符")))
    if channel in (Channel.PATROL, Channel.REFERRAL) and unit is None:
        errors.append(FieldError("reporting_unit", _("巡查发现和单位移交须注明发现/移交单位")))
    if f["is_enforcement"] and unit is None:
        errors.append(FieldError("reporting_unit", _("执法处置案件须由发现单位登记")))
    return errors


def _register(
    *,
    fields: dict[str, Any],
    estate: Estate,
    routed: tuple[MatterType, RouteResult] | None,
    reporter_user: Any,
    reporting_unit: Unit | None,
    idempotency_key: str | None,
    digest: str,
    uploads: Sequence[CheckedUpload],
    actor: Any,
    now: dt.datetime,
) -> Case:
    ledger_id, ledger_code = ledger_jurisdiction(estate.community.path)
    ledger = Jurisdiction(pk=ledger_id, code=ledger_code)
    track_key, track_hash = track_key_new()
    case = _new_case(fields, estate, routed, reporting_unit, ledger_id, now)
    case.reporter_user = (
        reporter_user if getattr(reporter_user, "is_authenticated", False) else None
    )
    case.registered_by = actor if getattr(actor, "is_authenticated", False) else None
    case.idempotency_key, case.idempotency_digest = idempotency_key, digest
    case.track_key_hash = track_hash
    # The ledger year is the Beijing calendar year the case arrived in. The counter row
    # stays locked from the number to the commit. On PostgreSQL the number is taken last,
    # by the statement that writes it into the case, so concurrent intakes queue for one
    # statement and the commit instead of for every insert.
    number_last = connection.vendor == "postgresql"
    case.number = f"~{uuid.uuid4().hex}" if number_last else next_number(ledger, case.year)
    case.save(force_insert=True)
    events_save(case, _first_events(case, routed, reporting_unit, actor, now), first=True)
    if number_last:
        case.number = next_number(ledger, case.year, case_id=case.pk)
    # After the number: the messages these queue (notify/) carry it.
    if case.state == State.DISPATCHED:
        notify(
            now,
            case,
            "dispatch",
            _("新派单：%(title)s") % {"title": case.title},
            unit_id=case.lead_unit_id,
        )
    elif case.state == State.REGISTERED:
        notify(
            now,
            case,
            "desk",
            _("待分派：%(title)s") % {"title": case.title},
            jurisdiction_id=ledger_id,
        )
    to_reporter(case, EventType.RECEIVED, now)
    if uploads:
        stored = store_uploads(case, uploads, purpose="report", actor=actor)
        event(case, "attach", actor=actor, reason="、".join(a.name for a in stored), now=now)
    case.track_key = track_key  # type: ignore[attr-defined]
    return case


def _new_case(
    fields: dict[str, Any],
    estate: Estate,
    routed: tuple[MatterType, RouteResult] | None,
    reporting_unit: Unit | None,
    ledger_id: int,
    now: dt.datetime,
) -> Case:
    """The case row as it starts: waiting on the desk, dispatched by the catalog, or held
    by the unit that discovered it (003 四 发现)."""
    matter, route = routed if routed else (None, None)
    case = Case(
        number="",
        jurisdiction_id=ledger_id,
        year=timezone.localtime(now).year,
        channel=fields["channel"],
        external_ref=fields["external_ref"],
        reporter_name=fields["reporter_name"],
        reporter_phone=fields["reporter_phone"],
        reporting_unit=reporting_unit,
        estate=estate,
        area_path=estate.community.path,
        building=fields["building"],
        unit_no=fields["unit_no"],
        room=fields["room"],
        location=fields["location"],
        matter=matter,
        title=fields["title"],
        description=fields["description"],
        urgency=fields["urgency"],
        level_id=ledger_id,
        route_reasons=list(route.reasons) if route else [],
        is_enforcement=fields["is_enforcement"],
        created_at=now,
        updated_at=now,
    )
    if fields["is_enforcement"] and reporting_unit is not None:
        case.state = State.ACCEPTED
        case.lead_unit = reporting_unit
        case.level = handling_level(estate, reporting_unit)
        case.enforcement_step = EnforcementStep.DISCOVER
        case.accepted_at = now
        case.resolve_due_at = due_after(now, "1wd")
    elif route is not None and route.lead is not None:
        case.state = State.DISPATCHED
        case.lead_unit = route.lead
        case.level = handling_level(estate, route.lead)
        case.dispatched_at = now
        for key, value in limits(matter, now).items():
            setattr(case, key, value)
    return case


def _first_events(
    case: Case,
    routed: tuple[MatterType, RouteResult] | None,
    reporting_unit: Unit | None,
    actor: Any,
    now: dt.datetime,
) -> list[Any]:
    """The register event, then the catalog's dispatch or the unit's discovery."""
    matter, route = routed if routed else (None, None)
    actor_unit_id = reporting_unit.pk if reporting_unit else None
    rows = [
        event_row(
            case,
            "register",
            actor=actor,
            actor_unit_id=actor_unit_id,
            to_state=State.REGISTERED,
            extra={"channel": case.channel, "matter": matter.code if matter else ""},
            now=now,
        )
    ]
    if case.state == State.DISPATCHED:
        due = case.accept_due_at.isoformat() if case.accept_due_at else ""
        assists = [u.pk for u in route.assists] if route else []
        rows.append(
            event_row(
                case,
                "dispatch",
                unit_id=case.lead_unit_id,
                from_state=State.REGISTERED,
                to_state=State.DISPATCHED,
                reason="；".join(case.route_reasons),
                extra={"auto": True, "accept_due_at": due, "assists": assists},
                now=now,
            )
        )
    elif case.state == State.ACCEPTED:
        rows.append(
            event_row(
                case,
                "discover",
                actor=actor,
                actor_unit_id=actor_unit_id,
                unit_id=actor_unit_id,
                from_state=State.REGISTERED,
                to_state=State.ACCEPTED,
                extra={"step": EnforcementStep.DISCOVER},
                now=now,
            )
        )
    return rows

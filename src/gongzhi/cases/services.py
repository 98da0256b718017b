"""Every write to cases. One function applies the transition table (``case_transition``);
the others validate their input, then call it or change tasks, attachments and records,
always in one transaction with an event row."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ParamSpec

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from gongzhi.cases import access
from gongzhi.cases.models import (
    Accountability,
    Attachment,
    Case,
    CaseEvent,
    CaseTask,
    Channel,
    EnforcementStep,
    LedgerCounter,
    Notification,
    Rating,
    RatingAppeal,
    ReportForm,
    State,
    Urgency,
)
from gongzhi.cases.workflow import MOVES
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.routing import RouteResult, route_entry
from gongzhi.catalog.selectors import catalog_version, matter_lookup
from gongzhi.catalog.timelimits import due_after, parse_time_limit
from gongzhi.common.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from gongzhi.org.models import Estate, Jurisdiction, Unit, UnitKind

P = ParamSpec("P")
DEFAULT_ACCEPT_LIMIT = "1wd"
DEFAULT_RESOLVE_LIMIT = "15wd"
# 003 三(四): a case passed on must be acted on at once by the receiver.
TRANSFER_ACCEPT_LIMIT = "2wh"
WHISTLE_CHECKIN_LIMIT = "24h"
POLICE_CHECKIN_LIMIT = "1h"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 9


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- events and notifications ---------------------------------------------------------


def _event(
    case: Case,
    action: str,
    *,
    actor: Any = None,
    actor_unit_id: int | None = None,
    unit_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    extra: dict[str, Any] | None = None,
    now: dt.datetime,
) -> CaseEvent:
    event = _event_row(
        case,
        action,
        actor=actor,
        actor_unit_id=actor_unit_id,
        unit_id=unit_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        extra=extra,
        now=now,
    )
    event.save(force_insert=True)
    return event


def _event_row(
    case: Case,
    action: str,
    *,
    actor: Any = None,
    actor_unit_id: int | None = None,
    unit_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    extra: dict[str, Any] | None = None,
    now: dt.datetime,
) -> CaseEvent:
    """An event row, not yet saved."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return CaseEvent(
        case=case,
        action=action,
        actor=user,
        actor_unit_id=actor_unit_id,
        unit_id=unit_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        extra=extra or {},
        created_at=now,
    )


def _notify(
    now: dt.datetime,
    case: Case,
    kind: str,
    text: str,
    *,
    unit_id: int | None = None,
    user_id: int | None = None,
    jurisdiction_id: int | None = None,
) -> None:
    Notification.objects.create(
        created_at=now,
        case=case,
        kind=kind,
        text=text[:300],
        unit_id=unit_id,
        user_id=user_id,
        jurisdiction_id=jurisdiction_id,
    )


# --- ledger numbers and levels ---------------------------------------------------------


@lru_cache(maxsize=4096)
def _ledger_jurisdiction(community_path: str) -> tuple[int, str]:
    """The county (or district, or the top of the tree) whose ledger an estate's cases go
    in: the deepest ancestor at tier 3 or above, as (pk, code)."""
    codes = [c for c in community_path.split("/") if c]
    nodes = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    chosen = nodes[codes[0]]
    for code in codes:
        node = nodes[code]
        if node.tier <= 3:
            chosen = node
    return chosen.pk, chosen.code


def _ledger_jurisdiction_id(community_path: str) -> int:
    return _ledger_jurisdiction(community_path)[0]


def _next_number(jurisdiction: Jurisdiction, year: int, *, case_id: int | None = None) -> str:
    """The next ledger number of a jurisdiction and year. The counter row stays locked
    until the caller's transaction ends, so numbers are unique and gapless; one
    ``UPDATE … RETURNING`` takes the lock and reads the number in one round trip. With
    ``case_id`` (PostgreSQL) the same statement also writes the number into that case."""
    table = LedgerCounter._meta.db_table
    prefix = f"{jurisdiction.code[:6]}-{year}-"
    if case_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH n AS (UPDATE {table} SET last = last + 1"
                " WHERE jurisdiction_id = %s AND year = %s RETURNING last)"
                f" UPDATE {Case._meta.db_table} SET number = %s || CASE WHEN n.last < 1000000"
                " THEN lpad(n.last::text, 6, '0') ELSE n.last::text END"
                f" FROM n WHERE {Case._meta.db_table}.id = %s"
                f" RETURNING {Case._meta.db_table}.number",
                [jurisdiction.pk, year, prefix, case_id],
            )
            row = cursor.fetchone()
        if row is not None:
            return str(row[0])
        number = _next_number(jurisdiction, year)  # the year's first case: make the row
        Case.objects.filter(pk=case_id).update(number=number)
        return number
    sql = (
        f"UPDATE {table} SET last = last + 1 WHERE jurisdiction_id = %s AND year = %s "
        "RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [jurisdiction.pk, year])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                LedgerCounter.objects.create(jurisdiction=jurisdiction, year=year, last=1)
            last = 1
        except IntegrityError:
            with connection.cursor() as cursor:
                cursor.execute(sql, [jurisdiction.pk, year])
                last = cursor.fetchone()[0]
    else:
        last = row[0]
    return f"{prefix}{last:06d}"


def _three_party(unit: Unit) -> bool:
    return unit.kind.group == UnitKind.Group.THREE_PARTY


def _handling_level(estate: Estate, unit: Unit) -> Jurisdiction:
    """The level a case sits at when ``unit`` leads it: a three-party body's cases are
    the community's; a department's are at its own jurisdiction."""
    if _three_party(unit) or unit.jurisdiction.tier >= estate.community.tier:
        return estate.community
    return unit.jurisdiction


# --- the transition table applied -------------------------------------------------------


def _check_side(actor: Any, case: Case, allowed: Sequence[str]) -> str:
    if actor is None:
        if "system" in allowed:
            return "system"
        raise PermissionDenied("该操作不能由系统自动执行")
    mine = access.sides(actor, case)
    for side in allowed:
        if side in mine:
            return side
    raise PermissionDenied("您无权对该案件执行此操作")


@transaction.atomic
def case_transition(
    *,
    case: Case,
    move: str,
    actor: Any,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    event_unit_id: int | None = None,
    extra: dict[str, Any] | None = None,
    expected_version: int | None = None,
    authority: str | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Apply one move of the table to ``case``: check the move, the state and the actor's
    side, update conditionally on the state and version read (so of two people acting at
    once exactly one wins), and write the event. ``authority`` names a side the caller
    has established itself (a joint conference whose area holds the case), instead of
    the actor's own."""
    now = _now(now)
    spec = MOVES.get(move)
    if spec is None:
        raise DomainError(f"未知操作“{move}”")
    if case.state not in spec.sources:
        raise DomainError(
            f"案件当前状态为“{State(case.state).label}”，不能{spec.label}", code="bad_state"
        )
    if authority is not None:
        if authority not in spec.sides:
            raise PermissionDenied("您无权对该案件执行此操作")
        side = authority
    else:
        side = _check_side(actor, case, spec.sides)
    if spec.needs_reason and not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", f"{spec.label}须填写理由")])
    if expected_version is not None and expected_version != case.version:
        raise Conflict("该案件已被他人更新，请刷新页面后重试")
    target = spec.target or case.resume_state or State.IN_PROGRESS
    values: dict[str, Any] = dict(changes or {})
    values["state"] = target
    values["updated_at"] = now
    updated = Case.objects.filter(pk=case.pk, state=case.state, version=case.version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise Conflict("该案件刚被他人处理，请刷新页面后重试")
    from_state = case.state
    # The unit the actor acted for, before the move changes the lead unit (a transfer
    # is made by the unit passing the case on, not by its receiver).
    actor_unit_id = access.acting_unit_id(actor, case, side) if actor else None
    for key, value in values.items():
        setattr(case, key, value)
    case.version += 1
    _event(
        case,
        move,
        actor=actor,
        actor_unit_id=actor_unit_id,
        unit_id=event_unit_id,
        from_state=from_state,
        to_state=target,
        reason=reason,
        extra={"side": side, **(extra or {})},
        now=now,
    )
    return case


# --- intake -------------------------------------------------------------------------------


@dataclass
class Upload:
    name: str
    content: bytes


def _sniff(content: bytes) -> tuple[str, str] | None:
    """(kind, content type) by the file's bytes, not its name."""
    if content.startswith(b"%PDF-"):
        return Attachment.Kind.PDF, "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return Attachment.Kind.PHOTO, "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return Attachment.Kind.PHOTO, "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return Attachment.Kind.PHOTO, "image/webp"
    return None


def _check_uploads(uploads: Sequence[Upload], field: str = "attachments") -> list[FieldError]:
    errors: list[FieldError] = []
    if len(uploads) > MAX_ATTACHMENTS:
        errors.append(FieldError(field, f"附件最多 {MAX_ATTACHMENTS} 个"))
    for up in uploads:
        if len(up.content) > MAX_UPLOAD_BYTES:
            errors.append(
                FieldError(field, f"“{up.name}”超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
            )
            continue
        sniffed = _sniff(up.content)
        if sniffed is None:
            errors.append(FieldError(field, f"“{up.name}”不是图片（JPEG/PNG/WebP）或 PDF 文件"))
            continue
        if sniffed[0] == Attachment.Kind.PHOTO:
            try:
                from io import BytesIO

                from PIL import Image

                with Image.open(BytesIO(up.content)) as img:
                    img.verify()
            except Exception:
                errors.append(FieldError(field, f"“{up.name}”图片已损坏，无法打开"))
    return errors


def _store_uploads(
    case: Case, uploads: Sequence[Upload], *, purpose: str, actor: Any
) -> list[Attachment]:
    stored = []
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    for up in uploads:
        kind, ctype = _sniff(up.content) or ("", "")
        att = Attachment(
            case=case,
            kind=kind,
            name=up.name[:200],
            content_type=ctype,
            size=len(up.content),
            sha256=hashlib.sha256(up.content).hexdigest(),
            purpose=purpose,
            uploaded_by=user,
        )
        ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(ctype, "webp")
        att.file.save(f"{att.sha256[:16]}.{ext}", ContentFile(up.content), save=False)
        att.save()
        stored.append(att)
    return stored


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
    _ledger_jurisdiction.cache_clear()


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


def _estate_by_code(code: str) -> Estate | None:
    return _memoised(  # type: ignore[no-any-return]
        ("estate", code),
        lambda: (
            Estate.objects.select_related(
                "community", "property_company__kind", "owners_committee__kind"
            )
            .filter(code=code)
            .first()
        ),
    )


def _route_for(estate: Estate, matter_code: str) -> tuple[MatterType, RouteResult] | None:
    def build() -> tuple[MatterType, RouteResult] | None:
        entry = matter_lookup(estate.community, matter_code)
        if entry is None:
            return None
        return entry.matter, route_entry(estate=estate, entry=entry)

    return _memoised(  # type: ignore[no-any-return]
        ("route", estate.pk, estate.community_id, matter_code, catalog_version()), build
    )


def _limits(matter: MatterType | None, now: dt.datetime) -> dict[str, dt.datetime | None]:
    accept = (matter.accept_limit if matter else "") or DEFAULT_ACCEPT_LIMIT
    resolve = (matter.time_limit if matter else "") or DEFAULT_RESOLVE_LIMIT
    response = matter.response_limit if matter else ""
    return {
        "accept_due_at": due_after(now, accept),
        "response_due_at": due_after(now, response) if response else None,
        "resolve_due_at": due_after(now, resolve),
    }


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
    reporting_unit: Unit | None = None,
    building: str = "",
    unit_no: str = "",
    room: str = "",
    location: str = "",
    urgency: str = Urgency.NORMAL,
    idempotency_key: str | None = None,
    external_ref: str = "",
    is_enforcement: bool = False,
    uploads: Sequence[Upload] = (),
    actor: Any = None,
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """Register a case and route it, and say whether it is new. With a matter type the
    duty catalog names the lead unit and the case is dispatched at once; without one (or
    with no unit found) it waits on the office's dispatch desk. The same idempotency key
    returns the earlier case as it is, with False. ``case_register`` below is the same
    without the flag."""
    now = _now(now)
    # Most keys are new: look for the key with the cheapest query (one column, no
    # ordering; compiling `.first()` over the case's 50 columns cost a third of the
    # intake's CPU) and load the case only when it exists.
    if (
        idempotency_key
        and Case.objects.filter(idempotency_key=idempotency_key).order_by().values("pk")[:1]
    ):
        return Case.objects.get(idempotency_key=idempotency_key), False
    errors: list[FieldError] = []
    if isinstance(estate, str):
        code = estate
        estate_obj = _estate_by_code(code)
        if estate_obj is None:
            errors.append(FieldError("estate", f"小区编码“{code}”不存在"))
    else:
        estate_obj = estate
    if channel not in Channel.values:
        errors.append(FieldError("channel", f"未知来源渠道“{channel}”"))
    if urgency not in Urgency.values:
        errors.append(FieldError("urgency", f"未知紧急程度“{urgency}”"))
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        errors.append(FieldError("title", "请填写标题"))
    elif len(title) > 120:
        errors.append(FieldError("title", "标题不能超过 120 个字"))
    if not description:
        errors.append(FieldError("description", "请填写诉求内容"))
    elif len(description) > 5000:
        errors.append(FieldError("description", "诉求内容不能超过 5000 个字"))
    phone = (reporter_phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors.append(FieldError("reporter_phone", "电话号码应为 7 到 12 位数字"))
    if len(reporter_name or "") > 50:
        errors.append(FieldError("reporter_name", "姓名不能超过 50 个字"))
    if channel in (Channel.PATROL, Channel.REFERRAL) and reporting_unit is None:
        errors.append(FieldError("reporting_unit", "巡查发现和单位移交须注明发现/移交单位"))
    if is_enforcement and reporting_unit is None:
        errors.append(FieldError("reporting_unit", "执法处置案件须由发现单位登记"))
    routed = None
    matter_code = (matter_code or "").strip()
    if matter_code and estate_obj is not None:
        routed = _route_for(estate_obj, matter_code)
        if routed is None:
            errors.append(
                FieldError("matter_code", f"该小区适用的职责清单中没有事项“{matter_code}”")
            )
    errors += _check_uploads(uploads)
    if errors:
        raise InvalidInput(errors=errors)
    assert estate_obj is not None
    try:
        with transaction.atomic():
            case = _register(
                channel=channel,
                estate=estate_obj,
                title=title,
                description=description,
                routed=routed,
                reporter_name=(reporter_name or "").strip(),
                reporter_phone=phone,
                reporter_user=reporter_user,
                reporting_unit=reporting_unit,
                building=building.strip(),
                unit_no=unit_no.strip(),
                room=room.strip(),
                location=location.strip(),
                urgency=urgency,
                idempotency_key=idempotency_key or None,
                external_ref=external_ref.strip(),
                is_enforcement=is_enforcement,
                uploads=uploads,
                actor=actor,
                now=now,
            )
    except IntegrityError:
        if idempotency_key:
            existing = Case.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return case, True


def _case_only(func: Callable[P, tuple[Case, bool]]) -> Callable[P, Case]:
    @functools.wraps(func)
    def inner(*args: P.args, **kwargs: P.kwargs) -> Case:
        return func(*args, **kwargs)[0]

    return inner


# The same arguments as case_register_or_replay, returning only the case.
case_register = _case_only(case_register_or_replay)


def _register(
    *,
    channel: str,
    estate: Estate,
    title: str,
    description: str,
    routed: tuple[MatterType, RouteResult] | None,
    reporter_name: str,
    reporter_phone: str,
    reporter_user: Any,
    reporting_unit: Unit | None,
    building: str,
    unit_no: str,
    room: str,
    location: str,
    urgency: str,
    idempotency_key: str | None,
    external_ref: str,
    is_enforcement: bool,
    uploads: Sequence[Upload],
    actor: Any,
    now: dt.datetime,
) -> Case:
    ledger_id, ledger_code = _ledger_jurisdiction(estate.community.path)
    ledger = Jurisdiction(pk=ledger_id, code=ledger_code)
    matter = routed[0] if routed else None
    route = routed[1] if routed else None
    lead = route.lead if route else None
    user = reporter_user if reporter_user is not None and reporter_user.is_authenticated else None
    case = Case(
        number="",
        jurisdiction_id=ledger_id,
        year=timezone.localtime(now).year,
        channel=channel,
        external_ref=external_ref,
        idempotency_key=idempotency_key,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_user=user,
        reporting_unit=reporting_unit,
        estate=estate,
        building=building,
        unit_no=unit_no,
        room=room,
        location=location,
        matter=matter,
        title=title,
        description=description,
        urgency=urgency,
        level_id=ledger_id,
        route_reasons=list(route.reasons) if route else [],
        is_enforcement=is_enforcement,
        created_at=now,
        updated_at=now,
    )
    if is_enforcement and reporting_unit is not None:
        # 发现: the discovering unit holds the case through 拍照 and 制止 (003 四).
        case.state = State.ACCEPTED
        case.lead_unit = reporting_unit
        case.level = _handling_level(estate, reporting_unit)
        case.enforcement_step = EnforcementStep.DISCOVER
        case.accepted_at = now
        case.resolve_due_at = due_after(now, "1wd")
    elif lead is not None:
        case.state = State.DISPATCHED
        case.lead_unit = lead
        case.level = _handling_level(estate, lead)
        case.dispatched_at = now
        for key, value in _limits(matter, now).items():
            setattr(case, key, value)
    # The ledger year is the Beijing calendar year the case arrived in.
    # The counter row stays locked from the number to the commit. On PostgreSQL the number
    # is taken last, by the statement that writes it into the case, so concurrent intakes
    # queue for one statement and the commit instead of for every insert.
    number_last = connection.vendor == "postgresql"
    case.number = f"~{uuid.uuid4().hex}" if number_last else _next_number(ledger, case.year)
    case.save(force_insert=True)
    actor_unit_id = reporting_unit.pk if reporting_unit else None
    registered = _event_row(
        case,
        "register",
        actor=actor,
        actor_unit_id=actor_unit_id,
        to_state=State.REGISTERED,
        extra={"channel": channel, "matter": matter.code if matter else ""},
        now=now,
    )
    if case.state == State.DISPATCHED:
        # Both events in one INSERT.
        CaseEvent.objects.bulk_create(
            [
                registered,
                _event_row(
                    case,
                    "dispatch",
                    unit_id=case.lead_unit_id,
                    from_state=State.REGISTERED,
                    to_state=State.DISPATCHED,
                    reason="；".join(case.route_reasons),
                    extra={
                        "auto": True,
                        "accept_due_at": (
                            case.accept_due_at.isoformat() if case.accept_due_at else ""
                        ),
                        "assists": [u.pk for u in route.assists] if route else [],
                    },
                    now=now,
                ),
            ]
        )
        _notify(now, case, "dispatch", f"新派单：{case.title}", unit_id=case.lead_unit_id)
    elif case.state == State.ACCEPTED:
        registered.save(force_insert=True)
        _event(
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
    else:
        registered.save(force_insert=True)
        _notify(now, case, "desk", f"待分派：{case.title}", jurisdiction_id=ledger_id)
    if number_last:
        case.number = _next_number(ledger, case.year, case_id=case.pk)
    if uploads:
        _store_uploads(case, uploads, purpose="report", actor=actor)
    return case


# --- dispatching, accepting, returning, transferring -------------------------------------


def _unit(code_or_unit: Unit | str, field: str = "unit") -> Unit:
    if isinstance(code_or_unit, Unit):
        return code_or_unit
    unit = Unit.objects.select_related("kind", "jurisdiction").filter(code=code_or_unit).first()
    if unit is None:
        raise InvalidInput(errors=[FieldError(field, f"单位编码“{code_or_unit}”不存在")])
    return unit


def _dispatch_changes(case: Case, unit: Unit, matter: MatterType | None, now: dt.datetime) -> dict:
    changes: dict[str, Any] = {
        "lead_unit": unit,
        "level": _handling_level(case.estate, unit),
        "dispatched_at": now,
        "accepted_at": None,
        "responded_at": None,
        "warned_at": None,
        "breached_at": None,
    }
    changes.update(_limits(matter, now))
    return changes


def case_dispatch(
    *,
    case: Case,
    actor: Any,
    unit: Unit | str | None = None,
    matter_code: str = "",
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The office dispatches a case from its desk: by matter type (the catalog names the
    unit) or to a named unit."""
    now = _now(now)
    matter = case.matter
    reasons: list[str] = []
    target: Unit | None = _unit(unit) if unit else None
    if matter_code:
        routed = _route_for(case.estate, matter_code)
        if routed is None:
            raise InvalidInput(
                errors=[FieldError("matter_code", f"该小区适用的职责清单中没有事项“{matter_code}”")]
            )
        matter, result = routed
        reasons = result.reasons
        if target is None:
            target = result.lead
    if target is None:
        raise InvalidInput(errors=[FieldError("unit", "请选择事项或责任单位")])
    changes = _dispatch_changes(case, target, matter, now)
    changes["matter"] = matter
    if reasons:
        changes["route_reasons"] = reasons
    with transaction.atomic():
        case_transition(
            case=case,
            move="dispatch",
            actor=actor,
            reason=reason or "；".join(reasons),
            changes=changes,
            event_unit_id=target.pk,
            extra={"matter": matter.code if matter else ""},
            expected_version=expected_version,
            now=now,
        )
        _notify(now, case, "dispatch", f"新派单：{case.title}", unit_id=target.pk)
    return case


def case_accept(
    *, case: Case, actor: Any, expected_version: int | None = None, now: dt.datetime | None = None
) -> Case:
    now = _now(now)
    on_time = case.accept_due_at is None or now <= case.accept_due_at
    return case_transition(
        case=case,
        move="accept",
        actor=actor,
        changes={"accepted_at": now},
        event_unit_id=case.lead_unit_id,
        extra={"on_time": on_time},
        expected_version=expected_version,
        now=now,
    )


def case_start(
    *,
    case: Case,
    actor: Any,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """First response: on site or in contact with the reporter."""
    now = _now(now)
    on_time = case.response_due_at is None or now <= case.response_due_at
    return case_transition(
        case=case,
        move="start",
        actor=actor,
        reason=note,
        changes={"responded_at": now},
        event_unit_id=case.lead_unit_id,
        extra={"on_time": on_time},
        expected_version=expected_version,
        now=now,
    )


def case_return(
    *,
    case: Case,
    actor: Any,
    reason: str,
    claimed_matter_code: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """退回: the unit says the case is not its own; it must name the catalog entry it
    believes applies. The case goes back to the office's desk."""
    now = _now(now)
    errors = []
    if not reason.strip():
        errors.append(FieldError("reason", "退回须说明理由"))
    code = claimed_matter_code.strip()
    if not code:
        errors.append(FieldError("claimed_matter_code", "请写明您认为适用的职责清单事项编码"))
    elif matter_lookup(case.estate.community, code) is None:
        errors.append(FieldError("claimed_matter_code", f"职责清单中没有事项“{code}”"))
    if errors:
        raise InvalidInput(errors=errors)
    returned_by = case.lead_unit_id
    with transaction.atomic():
        case_transition(
            case=case,
            move="return",
            actor=actor,
            reason=reason,
            changes={
                "return_count": case.return_count + 1,
                "accept_due_at": None,
                "response_due_at": None,
                "resolve_due_at": None,
            },
            event_unit_id=returned_by,
            extra={"claimed_matter": code, "returned_by": returned_by},
            expected_version=expected_version,
            now=now,
        )
        _notify(now, case, "returned", f"退回待裁定：{case.title}", jurisdiction_id=case.level_id)
    return case


def case_overrule(
    *,
    case: Case,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The office rules a returned case was the returning unit's own: it goes back to
    that unit with fresh limits and a buck-passing record (003 四, 004 四(一))."""
    now = _now(now)
    last = case.events.filter(action="return").order_by("-created_at", "-id").first()
    if last is None or not last.unit_id:
        raise DomainError("找不到退回记录")
    unit = Unit.objects.select_related("kind", "jurisdiction").get(pk=last.unit_id)
    with transaction.atomic():
        case_transition(
            case=case,
            move="overrule",
            actor=actor,
            reason=reason,
            changes=_dispatch_changes(case, unit, case.matter, now),
            event_unit_id=unit.pk,
            expected_version=expected_version,
            now=now,
        )
        _accountability(
            case,
            unit.pk,
            Accountability.Kind.BUCK_PASSING,
            f"退回理由不成立：{reason}",
            key=f"buck:{case.pk}:{last.pk}",
            now=now,
        )
        _notify(now, case, "overruled", f"退回不成立，请办理：{case.title}", unit_id=unit.pk)
    return case


def case_transfer(
    *,
    case: Case,
    actor: Any,
    to_unit: Unit | str,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """转办: pass the case straight to the unit responsible (003 三(四)); it must act at
    once (a short acceptance limit), and the result goes back to the transferring unit
    (004 三(二))."""
    now = _now(now)
    target = _unit(to_unit, "to_unit")
    if target.pk == case.lead_unit_id:
        raise InvalidInput(errors=[FieldError("to_unit", "不能转办给本单位")])
    from_unit = case.lead_unit_id
    changes = _dispatch_changes(case, target, case.matter, now)
    changes["accept_due_at"] = due_after(now, TRANSFER_ACCEPT_LIMIT)
    changes["transferred_from_id"] = from_unit
    with transaction.atomic():
        case_transition(
            case=case,
            move="transfer",
            actor=actor,
            reason=reason,
            changes=changes,
            event_unit_id=target.pk,
            extra={"from_unit": from_unit, "to_unit": target.pk},
            expected_version=expected_version,
            now=now,
        )
        _notify(now, case, "transfer", f"转办件，请立即处理：{case.title}", unit_id=target.pk)
    return case


def case_rule_transfer(
    *,
    case: Case,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The office rules a transferred case was the transferring unit's own: it goes back
    to that unit, which gets a buck-passing record."""
    now = _now(now)
    if not case.transferred_from_id:
        raise DomainError("该案件没有转办记录")
    if "office" not in access.sides(actor, case):
        raise PermissionDenied("只有联席会议办公室可以裁定转办")
    unit = Unit.objects.select_related("kind", "jurisdiction").get(pk=case.transferred_from_id)
    last = case.events.filter(action="transfer").order_by("-created_at", "-id").first()
    changes = _dispatch_changes(case, unit, case.matter, now)
    changes["transferred_from_id"] = None
    with transaction.atomic():
        case_transition(
            case=case,
            move="transfer",
            actor=actor,
            reason=f"裁定转办不成立：{reason}",
            changes=changes,
            event_unit_id=unit.pk,
            extra={"ruling": True},
            expected_version=expected_version,
            now=now,
        )
        _accountability(
            case,
            unit.pk,
            Accountability.Kind.BUCK_PASSING,
            f"转办不成立：{reason}",
            key=f"buck:{case.pk}:{last.pk if last else 0}:transfer",
            now=now,
        )
        _notify(now, case, "overruled", f"转办不成立，请办理：{case.title}", unit_id=unit.pk)
    return case


def office_above(level: Jurisdiction) -> Jurisdiction | None:
    """The nearest level above ``level`` that has a joint-conference office (someone
    holding the office role there): where an escalated case goes. A county that runs
    Gongzhi alone has none above itself."""
    from gongzhi.org.models import RoleGrant

    ancestors = [c for c in level.ancestor_codes() if c != level.code]
    if not ancestors:
        return None
    staffed = set(
        RoleGrant.objects.filter(
            role=RoleGrant.Role.OFFICE_STAFF, jurisdiction__code__in=ancestors
        ).values_list("jurisdiction__code", flat=True)
    )
    for code in reversed(ancestors):
        if code in staffed:
            return Jurisdiction.objects.get(code=code)
    return None


def case_escalate(
    *,
    case: Case,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> Case:
    """逐级上报 (004 三(四)): the case goes to the office one level up — community →
    street → district/county → city."""
    now = _now(now)
    parent = office_above(case.level)
    if parent is None:
        raise DomainError("上级未设联席会议办公室，无法继续上报；请提请本级联席会议研究")
    with transaction.atomic():
        case_transition(
            case=case,
            move="escalate",
            actor=actor,
            reason=reason,
            changes={
                "level": parent,
                "escalation_count": case.escalation_count + 1,
                "accept_due_at": None,
                "response_due_at": None,
                "resolve_due_at": None,
            },
            event_unit_id=case.lead_unit_id,
            extra={"from_level": case.level_id, "to_level": parent.pk, **(extra or {})},
            expected_version=expected_version,
            now=now,
        )
        _notify(now, case, "escalated", f"下级上报：{case.title}", jurisdiction_id=parent.pk)
    return case


def case_suspend(
    *,
    case: Case,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    now = _now(now)
    return case_transition(
        case=case,
        move="suspend",
        actor=actor,
        reason=reason,
        changes={"suspended_at": now, "resume_state": case.state},
        event_unit_id=case.lead_unit_id,
        expected_version=expected_version,
        now=now,
    )


def case_resume(
    *, case: Case, actor: Any, expected_version: int | None = None, now: dt.datetime | None = None
) -> Case:
    """Resume a suspended case; its clocks move on by the time it was paused."""
    now = _now(now)
    paused = now - case.suspended_at if case.suspended_at else dt.timedelta(0)
    changes: dict[str, Any] = {"suspended_at": None, "resume_state": ""}
    for name in ("resolve_due_at", "response_due_at"):
        due = getattr(case, name)
        if due is not None:
            changes[name] = due + paused
    return case_transition(
        case=case,
        move="resume",
        actor=actor,
        changes=changes,
        event_unit_id=case.lead_unit_id,
        extra={"paused_seconds": int(paused.total_seconds())},
        expected_version=expected_version,
        now=now,
    )


def case_handle(
    *,
    case: Case,
    actor: Any,
    result: str,
    evidence: Sequence[Upload] = (),
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """办结 with the result and evidence. Refused while an assisting unit's task is open:
    joint handling ends when every part is done (003 三(四))."""
    now = _now(now)
    errors = []
    if not result.strip():
        errors.append(FieldError("result", "请填写办理结果"))
    errors += _check_uploads(evidence, "evidence")
    if errors:
        raise InvalidInput(errors=errors)
    open_tasks = case.tasks.filter(
        kind=CaseTask.Kind.ASSIST,
        state__in=(CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN),
    ).select_related("unit")
    if open_tasks:
        names = "、".join(t.unit.name for t in open_tasks)
        raise DomainError(f"协办单位尚未完成：{names}", code="tasks_open")
    on_time = case.resolve_due_at is None or now <= case.resolve_due_at
    changes: dict[str, Any] = {"result": result.strip(), "handled_at": now}
    if case.is_enforcement:
        changes["enforcement_step"] = EnforcementStep.HANDLE
    with transaction.atomic():
        case_transition(
            case=case,
            move="handle",
            actor=actor,
            reason=result.strip(),
            changes=changes,
            event_unit_id=case.lead_unit_id,
            extra={"on_time": on_time},
            expected_version=expected_version,
            now=now,
        )
        if evidence:
            _store_uploads(case, evidence, purpose="evidence", actor=actor)
        if case.transferred_from_id:
            # 004 三(二): the result is fed back to the unit that passed the case on.
            _notify(
                now,
                case,
                "transfer_result",
                f"转办件已办结：{case.title}。结果：{result.strip()[:200]}",
                unit_id=case.transferred_from_id,
            )
        _notify(now, case, "handled", f"已办结待反馈：{case.title}", jurisdiction_id=case.level_id)
    return case


def case_feedback(
    *,
    case: Case,
    actor: Any,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The office sends the result to the reporter, who is asked to rate it."""
    now = _now(now)
    with transaction.atomic():
        case_transition(
            case=case,
            move="feedback",
            actor=actor,
            reason=note,
            event_unit_id=case.lead_unit_id,
            expected_version=expected_version,
            now=now,
        )
        if case.reporter_user_id:
            _notify(
                now,
                case,
                "feedback",
                f"您的诉求“{case.title}”已办结，请评价",
                user_id=case.reporter_user_id,
            )
    return case


def case_send_back(
    *,
    case: Case,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    now = _now(now)
    with transaction.atomic():
        case_transition(
            case=case,
            move="send_back",
            actor=actor,
            reason=reason,
            changes={"handled_at": None},
            event_unit_id=case.lead_unit_id,
            expected_version=expected_version,
            now=now,
        )
        _notify(
            now,
            case,
            "send_back",
            f"办理结果未通过，请重办：{case.title}",
            unit_id=case.lead_unit_id,
        )
    return case


def case_rate(
    *,
    case: Case,
    actor: Any,
    rating: str,
    reason: str = "",
    callback: bool = False,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The reporter rates the result (the office may record it on a callback visit, 回访).
    满意 / 基本满意 close the case; 不满意 reopens it while under the reopen limit, and
    otherwise sends it to the office for review."""
    now = _now(now)
    errors = []
    if rating not in Rating.values:
        errors.append(FieldError("rating", "请选择满意、基本满意或不满意"))
    if rating == Rating.DISSATISFIED and not reason.strip():
        errors.append(FieldError("reason", "不满意时请说明理由"))
    if errors:
        raise InvalidInput(errors=errors)
    extra = {"rating": rating, "callback": callback}
    limit = int(_setting("GONGZHI_REOPEN_LIMIT", 1))
    with transaction.atomic():
        if rating != Rating.DISSATISFIED:
            return case_transition(
                case=case,
                move="rate",
                actor=actor,
                reason=reason,
                changes={"rating": rating, "rating_reason": reason, "closed_at": now},
                event_unit_id=case.lead_unit_id,
                extra=extra,
                expected_version=expected_version,
                now=now,
            )
        # Rating is open only while the result awaits it, as for the "rate" move: a
        # closed case is not re-rated to reopen it, an undispatched one has no result.
        spec = MOVES["rate"]
        if case.state not in spec.sources:
            raise DomainError(
                f"案件当前状态为“{State(case.state).label}”，不能{spec.label}", code="bad_state"
            )
        # The rating is an event of its own so that metrics count it, then the move.
        _check_side(actor, case, spec.sides)
        if expected_version is not None and expected_version != case.version:
            raise Conflict("该案件已被他人更新，请刷新页面后重试")
        _event(
            case,
            "rated",
            actor=actor,
            unit_id=case.lead_unit_id,
            from_state=case.state,
            to_state=case.state,
            reason=reason,
            extra=extra,
            now=now,
        )
        if case.reopen_count < limit:
            lead = case.lead_unit
            assert lead is not None, "a case awaiting its rating was handled by a lead unit"
            changes = _dispatch_changes(case, lead, case.matter, now)
            changes.update(rating=rating, rating_reason=reason, reopen_count=case.reopen_count + 1)
            case_transition(
                case=case,
                move="reopen",
                actor=actor,
                reason=f"诉求人不满意：{reason}",
                changes=changes,
                event_unit_id=case.lead_unit_id,
                now=now,
            )
            _notify(
                now,
                case,
                "reopened",
                f"诉求人不满意，重新办理：{case.title}",
                unit_id=case.lead_unit_id,
            )
        else:
            case_transition(
                case=case,
                move="review",
                actor=actor,
                reason=reason,
                changes={"rating": rating, "rating_reason": reason},
                event_unit_id=case.lead_unit_id,
                now=now,
            )
            _notify(
                now, case, "review", f"不满意待复核：{case.title}", jurisdiction_id=case.level_id
            )
    return case


def case_reopen(
    *,
    case: Case,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """The office reopens a closed or reviewed case to its lead unit."""
    now = _now(now)
    if case.lead_unit is None:
        raise DomainError("该案件没有责任单位，无法重新办理")
    changes = _dispatch_changes(case, case.lead_unit, case.matter, now)
    changes.update(reopen_count=case.reopen_count + 1, closed_at=None)
    with transaction.atomic():
        case_transition(
            case=case,
            move="reopen",
            actor=actor,
            reason=reason,
            changes=changes,
            event_unit_id=case.lead_unit_id,
            expected_version=expected_version,
            now=now,
        )
        _notify(now, case, "reopened", f"重新办理：{case.title}", unit_id=case.lead_unit_id)
    return case


def case_close(
    *,
    case: Case,
    actor: Any,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    now = _now(now)
    changes: dict[str, Any] = {"closed_at": now}
    if case.is_enforcement:
        changes["enforcement_step"] = EnforcementStep.CLOSE
    return case_transition(
        case=case,
        move="close",
        actor=actor,
        reason=reason,
        changes=changes,
        event_unit_id=case.lead_unit_id,
        expected_version=expected_version,
        now=now,
    )


def case_merge(
    *,
    case: Case,
    into: Case,
    actor: Any,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Merge a duplicate into the case that carries on."""
    now = _now(now)
    if into.pk == case.pk:
        raise InvalidInput(errors=[FieldError("into", "不能与自身合并")])
    if not into.is_open:
        raise InvalidInput(errors=[FieldError("into", f"案件 {into.number} 已结束，不能并入")])
    if into.merged_into_id:
        raise InvalidInput(errors=[FieldError("into", f"案件 {into.number} 本身已被合并")])
    with transaction.atomic():
        case_transition(
            case=case,
            move="merge",
            actor=actor,
            reason=reason or f"与 {into.number} 重复",
            changes={"merged_into": into, "closed_at": now},
            event_unit_id=None,
            extra={"into": into.number},
            expected_version=expected_version,
            now=now,
        )
        _event(into, "merged_in", actor=actor, reason=f"并入 {case.number}", now=now)
    return case


def case_decision_apply(
    *,
    case: Case,
    actor: Any,
    body: Any,
    decision_label: str,
    outcome: str,
    close: bool,
    instructions: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """A joint conference's decision settles a case (close=True) or hands it back to its
    lead unit with instructions (close=False). Called by the meetings app. The authority
    is the conference (``body``), whose area must hold the case's estate; the event names
    the person who recorded the decision as done, never "the system"."""
    now = _now(now)
    if not case.estate.community.path.startswith(body.jurisdiction.path):
        raise PermissionDenied(f"案件 {case.number} 不在{body.name}的辖区内")
    extra = {"decision": decision_label, "body": body.pk}
    if close:
        changes: dict[str, Any] = {"closed_at": now, "result": outcome}
        return case_transition(
            case=case,
            move="decide_close",
            actor=actor,
            reason=f"{decision_label}：{outcome}",
            changes=changes,
            event_unit_id=case.lead_unit_id,
            extra=extra,
            authority="conference",
            now=now,
        )
    if case.lead_unit is None:
        raise DomainError("该案件没有责任单位，无法交回办理")
    changes = _dispatch_changes(case, case.lead_unit, case.matter, now)
    with transaction.atomic():
        case_transition(
            case=case,
            move="decide_return",
            actor=actor,
            reason=f"{decision_label}：{instructions or outcome}",
            changes=changes,
            event_unit_id=case.lead_unit_id,
            extra=extra,
            authority="conference",
            now=now,
        )
        _notify(
            now,
            case,
            "decision",
            f"联席会议决定交回办理：{case.title}。{instructions}",
            unit_id=case.lead_unit_id,
        )
    return case


# --- joint handling, the street whistle, the police ---------------------------------------


def _task_create(
    *,
    case: Case,
    actor: Any,
    units: Iterable[Unit | str],
    kind: str,
    instructions: str,
    checkin_limit: str,
    requested_by_id: int | None,
    side_needed: Sequence[str],
    now: dt.datetime,
) -> list[CaseTask]:
    side = _check_side(actor, case, side_needed)
    if not case.is_open or case.state in (State.HANDLED, State.FEEDBACK, State.REVIEW):
        raise DomainError(f"案件当前状态为“{case.state_label}”，不能再发起协办")
    targets = [_unit(u, "units") for u in units]
    if not targets:
        raise InvalidInput(errors=[FieldError("units", "请至少选择一个单位")])
    existing = set(
        case.tasks.filter(
            kind=kind, state__in=(CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN)
        ).values_list("unit_id", flat=True)
    )
    errors = [
        FieldError("units", f"{u.name}已有未完成的同类任务") for u in targets if u.pk in existing
    ]
    errors += [
        FieldError("units", f"{u.name}是本案责任单位") for u in targets if u.pk == case.lead_unit_id
    ]
    if errors:
        raise InvalidInput(errors=errors)
    due = due_after(now, checkin_limit)
    tasks = []
    for unit in targets:
        task = CaseTask.objects.create(
            case=case,
            unit=unit,
            kind=kind,
            instructions=instructions,
            requested_by_id=requested_by_id,
            checkin_due_at=due,
            due_at=case.resolve_due_at,
        )
        tasks.append(task)
        _event(
            case,
            f"task_{kind}",
            actor=actor,
            actor_unit_id=requested_by_id,
            unit_id=unit.pk,
            from_state=case.state,
            to_state=case.state,
            reason=instructions,
            extra={"task": task.pk, "side": side, "checkin_due_at": due.isoformat()},
            now=now,
        )
        label = CaseTask.Kind(kind).label
        _notify(now, case, f"task_{kind}", f"{label}：{case.title}（请按时报到）", unit_id=unit.pk)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=now)
    case.version += 1
    return tasks


@transaction.atomic
def case_joint_request(
    *,
    case: Case,
    actor: Any,
    units: Iterable[Unit | str],
    instructions: str,
    now: dt.datetime | None = None,
) -> list[CaseTask]:
    """联合执法: the lead unit goes first and calls the assisting units (003 三(四)); the
    case can't be handled until every assisting task is done."""
    if not instructions.strip():
        raise InvalidInput(errors=[FieldError("instructions", "请写明协办任务")])
    return _task_create(
        case=case,
        actor=actor,
        units=units,
        kind=CaseTask.Kind.ASSIST,
        instructions=instructions.strip(),
        checkin_limit=_setting("GONGZHI_ASSIST_CHECKIN_LIMIT", "1wd"),
        requested_by_id=case.lead_unit_id,
        side_needed=("lead", "office"),
        now=_now(now),
    )


@transaction.atomic
def case_whistle(
    *,
    case: Case,
    actor: Any,
    street_unit: Unit | str,
    units: Iterable[Unit | str],
    instructions: str,
    now: dt.datetime | None = None,
) -> list[CaseTask]:
    """街道吹哨、部门报到 (001 三(二), 002 (二)第四条): a street office summons named
    departments to a case; each must check in within the limit."""
    now = _now(now)
    street = _unit(street_unit, "street_unit")
    from gongzhi.org.permissions import scope_for

    if street.kind_id not in ("street_office", "town_government"):
        raise InvalidInput(errors=[FieldError("street_unit", "只有街道办事处或镇政府可以吹哨")])
    if not scope_for(actor).in_unit(street, *access.HANDLING_ROLES) and "office" not in (
        access.sides(actor, case)
    ):
        raise PermissionDenied("您不是该街道的工作人员")
    if not case.estate.community.path.startswith(street.jurisdiction.path):
        raise PermissionDenied("该小区不在本街道辖区")
    if not instructions.strip():
        raise InvalidInput(errors=[FieldError("instructions", "请写明需要各部门做什么")])
    return _whistle_tasks(case, actor, street, units, instructions.strip(), now)


def _whistle_tasks(
    case: Case,
    actor: Any,
    street: Unit,
    units: Iterable[Unit | str],
    instructions: str,
    now: dt.datetime,
) -> list[CaseTask]:
    # The street's right to whistle was checked by the caller; any staff of it may.
    targets = [_unit(u, "units") for u in units]
    if not targets:
        raise InvalidInput(errors=[FieldError("units", "请至少选择一个部门")])
    due = due_after(now, _setting("GONGZHI_WHISTLE_CHECKIN_LIMIT", WHISTLE_CHECKIN_LIMIT))
    tasks = []
    for unit in targets:
        task = CaseTask.objects.create(
            case=case,
            unit=unit,
            kind=CaseTask.Kind.WHISTLE,
            instructions=instructions,
            requested_by=street,
            checkin_due_at=due,
            due_at=case.resolve_due_at,
        )
        tasks.append(task)
        _event(
            case,
            "task_whistle",
            actor=actor,
            actor_unit_id=street.pk,
            unit_id=unit.pk,
            from_state=case.state,
            to_state=case.state,
            reason=instructions,
            extra={"task": task.pk, "checkin_due_at": due.isoformat()},
            now=now,
        )
        _notify(now, case, "task_whistle", f"街道吹哨，请按时报到：{case.title}", unit_id=unit.pk)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=now)
    case.version += 1
    return tasks


@transaction.atomic
def case_call_police(
    *, case: Case, actor: Any, reason: str, now: dt.datetime | None = None
) -> CaseTask:
    """Obstruction of officers: the police station of the estate's area is called to the
    case (003 三(五))."""
    now = _now(now)
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", "请说明现场阻挠情况")])
    from gongzhi.org.selectors import estate_units_nearby

    police = (
        estate_units_nearby(case.estate)
        .filter(kind_id="police_station")
        .order_by("-jurisdiction__depth")
        .first()
    ) or estate_units_nearby(case.estate).filter(kind_id="public_security").first()
    if police is None:
        raise DomainError("辖区内没有登记公安派出所")
    return _task_create(
        case=case,
        actor=actor,
        units=[police],
        kind=CaseTask.Kind.POLICE,
        instructions=reason.strip(),
        checkin_limit=POLICE_CHECKIN_LIMIT,
        requested_by_id=case.lead_unit_id,
        side_needed=("lead", "assist", "office"),
        now=now,
    )[0]


def _task_side(actor: Any, task: CaseTask) -> None:
    from gongzhi.org.permissions import scope_for

    if not scope_for(actor).in_unit(task.unit_id, *access.HANDLING_ROLES):
        raise PermissionDenied("您不是该任务单位的工作人员")


@transaction.atomic
def case_task_checkin(
    *, task: CaseTask, actor: Any, note: str = "", now: dt.datetime | None = None
) -> CaseTask:
    """报到: the summoned unit reports for duty."""
    now = _now(now)
    _task_side(actor, task)
    updated = CaseTask.objects.filter(pk=task.pk, state=CaseTask.TaskState.PENDING).update(
        state=CaseTask.TaskState.CHECKED_IN, checked_in_at=now, updated_at=now
    )
    if updated != 1:
        raise Conflict("该任务已报到或已结束，请刷新页面")
    on_time = task.checkin_due_at is None or now <= task.checkin_due_at
    task.state, task.checked_in_at = CaseTask.TaskState.CHECKED_IN, now
    _event(
        task.case,
        "task_checkin",
        actor=actor,
        actor_unit_id=task.unit_id,
        unit_id=task.unit_id,
        reason=note,
        extra={"task": task.pk, "on_time": on_time},
        now=now,
    )
    Case.objects.filter(pk=task.case_id).update(version=F("version") + 1, updated_at=now)
    return task


@transaction.atomic
def case_task_done(
    *, task: CaseTask, actor: Any, result: str, now: dt.datetime | None = None
) -> CaseTask:
    now = _now(now)
    _task_side(actor, task)
    if not result.strip():
        raise InvalidInput(errors=[FieldError("result", "请填写完成情况")])
    updated = CaseTask.objects.filter(
        pk=task.pk, state__in=(CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN)
    ).update(
        state=CaseTask.TaskState.DONE,
        done_at=now,
        result=result.strip(),
        checked_in_at=task.checked_in_at or now,
        updated_at=now,
    )
    if updated != 1:
        raise Conflict("该任务已结束，请刷新页面")
    task.state, task.done_at, task.result = CaseTask.TaskState.DONE, now, result.strip()
    _event(
        task.case,
        "task_done",
        actor=actor,
        actor_unit_id=task.unit_id,
        unit_id=task.unit_id,
        reason=result.strip(),
        extra={"task": task.pk},
        now=now,
    )
    Case.objects.filter(pk=task.case_id).update(version=F("version") + 1, updated_at=now)
    if task.case.lead_unit_id:
        _notify(
            now,
            task.case,
            "task_done",
            f"{task.unit.name}已完成协办：{task.case.title}",
            unit_id=task.case.lead_unit_id,
        )
    return task


# --- the six-step enforcement procedure (003 四) ------------------------------------------


def _enforcement_side(actor: Any, case: Case) -> None:
    if not case.is_enforcement:
        raise DomainError("该案件不是执法处置案件")
    _check_side(actor, case, ("lead",))


@transaction.atomic
def case_enforcement_photo(
    *, case: Case, actor: Any, photos: Sequence[Upload], now: dt.datetime | None = None
) -> list[Attachment]:
    """拍照: at least one photo of the scene."""
    now = _now(now)
    _enforcement_side(actor, case)
    errors = _check_uploads(photos, "photos")
    if not photos:
        errors.append(FieldError("photos", "请至少上传一张现场照片"))
    if any(_sniff(p.content) and _sniff(p.content)[0] != Attachment.Kind.PHOTO for p in photos):  # type: ignore[index]
        errors.append(FieldError("photos", "现场照片须为图片文件"))
    if errors:
        raise InvalidInput(errors=errors)
    stored = _store_uploads(case, photos, purpose="photo", actor=actor)
    _step(case, EnforcementStep.PHOTO, actor, f"上传现场照片 {len(stored)} 张", now)
    return stored


def _step(case: Case, step: str, actor: Any, reason: str, now: dt.datetime) -> None:
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        enforcement_step=step, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        raise Conflict("该案件刚被他人处理，请刷新页面后重试")
    case.enforcement_step = step
    case.version += 1
    _event(
        case,
        f"step_{step}",
        actor=actor,
        actor_unit_id=case.lead_unit_id,
        unit_id=case.lead_unit_id,
        from_state=case.state,
        to_state=case.state,
        reason=reason,
        extra={"step": step},
        now=now,
    )


@transaction.atomic
def case_enforcement_stop(
    *, case: Case, actor: Any, action: str, now: dt.datetime | None = None
) -> Case:
    """制止: what was done on site to stop the violation."""
    now = _now(now)
    _enforcement_side(actor, case)
    if not action.strip():
        raise InvalidInput(errors=[FieldError("action", "请填写现场制止情况")])
    if not case.attachments.filter(purpose="photo").exists():
        raise DomainError("请先拍照取证（至少一张现场照片），再记录制止情况", code="step_order")
    Case.objects.filter(pk=case.pk).update(on_site_action=action.strip())
    case.on_site_action = action.strip()
    _step(case, EnforcementStep.STOP, actor, action.strip(), now)
    return case


def case_enforcement_report(
    *,
    case: Case,
    actor: Any,
    receiving_unit: Unit | str,
    contact: str,
    contact_phone: str,
    details: str,
    opinion: str,
    head: str,
    receiver: str = "",
    receiver_phone: str = "",
    now: dt.datetime | None = None,
) -> ReportForm:
    """呈报: the discovering unit fills the case report form of 003 附件2 and passes the
    case to the unit with enforcement power, which must act at once."""
    now = _now(now)
    _enforcement_side(actor, case)
    errors = []
    if case.enforcement_step not in (EnforcementStep.STOP,):
        errors.append(FieldError("step", "须先完成发现、拍照、制止三步，再呈报"))
    for name, value, label in (
        ("contact", contact, "联系人"),
        ("contact_phone", contact_phone, "联系电话"),
        ("details", details, "案件详情"),
        ("opinion", opinion, "呈报单位意见"),
        ("head", head, "呈报单位负责人"),
    ):
        if not value.strip():
            errors.append(FieldError(name, f"请填写{label}"))
    target = None
    try:
        target = _unit(receiving_unit, "receiving_unit")
    except InvalidInput as exc:
        errors += exc.errors
    if errors:
        raise InvalidInput(errors=errors)
    assert target is not None
    reporting = case.lead_unit
    assert reporting is not None
    location = " ".join(
        p for p in (case.estate.address, case.estate.name, case.building, case.location) if p
    )
    local_day = timezone.localdate(now)
    with transaction.atomic():
        form = ReportForm.objects.create(
            case=case,
            reporting_unit=reporting,
            contact=contact.strip(),
            contact_phone=contact_phone.strip(),
            receiving_unit=target,
            receiver=receiver.strip(),
            receiver_phone=receiver_phone.strip() or target.phone,
            location=location,
            details=details.strip(),
            opinions=[
                {
                    "unit": reporting.name,
                    "opinion": opinion.strip(),
                    "head": head.strip(),
                    "date": local_day.isoformat(),
                }
            ],
        )
        case.enforcement_step = EnforcementStep.REPORT
        Case.objects.filter(pk=case.pk).update(enforcement_step=EnforcementStep.REPORT)
        case_transition(
            case=case,
            move="transfer",
            actor=actor,
            reason=f"呈报：{details.strip()[:200]}",
            changes={
                **_dispatch_changes(case, target, case.matter, now),
                "accept_due_at": due_after(now, TRANSFER_ACCEPT_LIMIT),
                "transferred_from_id": reporting.pk,
                "enforcement_step": EnforcementStep.REPORT,
            },
            event_unit_id=target.pk,
            extra={"step": EnforcementStep.REPORT, "report_form": form.pk},
            now=now,
        )
        _notify(now, case, "report", f"呈报件，请立即派员处理：{case.title}", unit_id=target.pk)
    return form


@transaction.atomic
def case_report_opinion(
    *, case: Case, actor: Any, opinion: str, head: str, now: dt.datetime | None = None
) -> ReportForm:
    """The receiving unit (or the office) adds its opinion to the 呈报表."""
    now = _now(now)
    form = getattr(case, "report_form", None)
    if form is None:
        raise NotFound("该案件没有呈报表")
    side = _check_side(actor, case, ("lead", "office"))
    errors = []
    if not opinion.strip():
        errors.append(FieldError("opinion", "请填写意见"))
    if not head.strip():
        errors.append(FieldError("head", "请填写负责人"))
    if errors:
        raise InvalidInput(errors=errors)
    unit_name = case.lead_unit.name if side == "lead" and case.lead_unit else "联席会议办公室"
    form.opinions = [
        *form.opinions,
        {
            "unit": unit_name,
            "opinion": opinion.strip(),
            "head": head.strip(),
            "date": timezone.localdate(now).isoformat(),
        },
    ]
    form.save(update_fields=["opinions", "updated_at"])
    _event(
        case,
        "report_opinion",
        actor=actor,
        reason=opinion.strip(),
        extra={"unit": unit_name},
        now=now,
    )
    return form


# --- attachments, callbacks, appeals -------------------------------------------------------


@transaction.atomic
def case_attach(
    *, case: Case, actor: Any, uploads: Sequence[Upload], now: dt.datetime | None = None
) -> list[Attachment]:
    now = _now(now)
    side = _check_side(actor, case, ("office", "lead", "assist", "reporter"))
    errors = _check_uploads(uploads)
    if not uploads:
        errors.append(FieldError("attachments", "请选择文件"))
    if errors:
        raise InvalidInput(errors=errors)
    stored = _store_uploads(
        case, uploads, purpose="report" if side == "reporter" else "evidence", actor=actor
    )
    _event(case, "attach", actor=actor, reason="、".join(a.name for a in stored), now=now)
    return stored


@transaction.atomic
def case_callback(
    *, case: Case, actor: Any, note: str, now: dt.datetime | None = None
) -> CaseEvent:
    """回访: the office calls the reporter back and notes what was said."""
    now = _now(now)
    _check_side(actor, case, ("office",))
    if not note.strip():
        raise InvalidInput(errors=[FieldError("note", "请填写回访情况")])
    return _event(case, "callback", actor=actor, reason=note.strip(), now=now)


@transaction.atomic
def case_appeal(
    *, case: Case, actor: Any, reason: str, now: dt.datetime | None = None
) -> RatingAppeal:
    """The lead unit appeals a rating it thinks unreasonable."""
    now = _now(now)
    _check_side(actor, case, ("lead",))
    if not case.rating:
        raise DomainError("该案件尚无评价")
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", "请说明申诉理由")])
    if case.appeals.filter(state=RatingAppeal.AppealState.PENDING).exists():
        raise DomainError("已有待裁定的申诉")
    assert case.lead_unit is not None, "only the lead side may appeal (checked above)"
    appeal = RatingAppeal.objects.create(case=case, unit=case.lead_unit, reason=reason.strip())
    _event(
        case,
        "appeal",
        actor=actor,
        actor_unit_id=case.lead_unit_id,
        unit_id=case.lead_unit_id,
        reason=reason.strip(),
        extra={"appeal": appeal.pk, "rating": case.rating},
        now=now,
    )
    _notify(now, case, "appeal", f"评价申诉待裁定：{case.title}", jurisdiction_id=case.level_id)
    return appeal


@transaction.atomic
def case_appeal_decide(
    *,
    appeal: RatingAppeal,
    actor: Any,
    upheld: bool,
    reason: str,
    now: dt.datetime | None = None,
) -> RatingAppeal:
    """The office decides; an upheld appeal removes the rating from the unit's metrics."""
    now = _now(now)
    case = appeal.case
    _check_side(actor, case, ("office",))
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", "请填写裁定理由")])
    state = RatingAppeal.AppealState.UPHELD if upheld else RatingAppeal.AppealState.REJECTED
    updated = RatingAppeal.objects.filter(
        pk=appeal.pk, state=RatingAppeal.AppealState.PENDING
    ).update(
        state=state,
        decided_by=actor,
        decision_reason=reason.strip(),
        decided_at=now,
        updated_at=now,
    )
    if updated != 1:
        raise Conflict("该申诉已被裁定，请刷新页面")
    appeal.state = state
    _event(
        case,
        "appeal_upheld" if upheld else "appeal_rejected",
        actor=actor,
        unit_id=appeal.unit_id,
        reason=reason.strip(),
        extra={"appeal": appeal.pk},
        now=now,
    )
    _notify(
        now, case, "appeal_decided", f"评价申诉{state.label}：{case.title}", unit_id=appeal.unit_id
    )
    return appeal


# --- accountability and the deadline sweep -------------------------------------------------


def _accountability(
    case: Case,
    unit_id: int,
    kind: str,
    reason: str,
    *,
    key: str,
    now: dt.datetime,
    task: CaseTask | None = None,
) -> Accountability | None:
    if Accountability.objects.filter(key=key).exists():
        return None
    record = Accountability.objects.create(
        unit_id=unit_id, case=case, kind=kind, reason=reason, key=key, task=task
    )
    _event(
        case,
        f"account_{kind}",
        unit_id=unit_id,
        reason=reason,
        extra={"record": record.pk},
        now=now,
    )
    return record


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0
    supervised: int = 0
    late_response: int = 0
    tasks_breached: int = 0
    closed_unrated: int = 0

    def __str__(self) -> str:
        return (
            f"预警 {self.warned} 件，超时上报 {self.escalated} 件，超时督办 {self.supervised} 件，"
            f"响应超时 {self.late_response} 件，"
            f"报到超时 {self.tasks_breached} 项，逾期未评价结案 {self.closed_unrated} 件"
        )


def case_sweep(*, now: dt.datetime | None = None, batch: int = 500) -> SweepResult:
    """The one deadline sweep. Warns before a limit, escalates a breached case one level
    up with a delay record against the unit, records summoned units that did not check
    in, and closes unrated feedback after the rating period. Idempotent: a second run at
    the same moment changes nothing more."""
    now = _now(now)
    result = SweepResult()
    warn_before = dt.timedelta(hours=float(_setting("GONGZHI_WARN_BEFORE_HOURS", 4)))

    # Warnings: clocks running, due within the warning window, not yet warned.
    for case in (
        Case.objects.filter(
            state__in=(State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS),
            warned_at__isnull=True,
            resolve_due_at__gt=now,
            resolve_due_at__lte=now + warn_before,
        )
        .only("pk", "title", "lead_unit_id", "resolve_due_at", "state")
        .order_by("resolve_due_at")[:batch]
    ):
        assert case.resolve_due_at is not None  # filtered on it above
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, warned_at__isnull=True).update(warned_at=now):
                _event(
                    case,
                    "warn",
                    unit_id=case.lead_unit_id,
                    reason="即将超过办结时限",
                    extra={"due_at": case.resolve_due_at.isoformat()},
                    now=now,
                )
                _notify(now, case, "warn", f"即将超时：{case.title}", unit_id=case.lead_unit_id)
                result.warned += 1

    # Breaches: not accepted in time, or not handled in time.
    breached = Case.objects.filter(
        state=State.DISPATCHED, accept_due_at__lt=now
    ) | Case.objects.filter(
        state__in=(State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS), resolve_due_at__lt=now
    )
    for case in breached.select_related("level", "level__parent", "lead_unit").order_by("pk")[
        :batch
    ]:
        which = (
            "签收"
            if case.state == State.DISPATCHED and case.accept_due_at and case.accept_due_at < now
            else "办结"
        )
        due = case.accept_due_at if which == "签收" else case.resolve_due_at
        try:
            with transaction.atomic():
                unit_id = case.lead_unit_id
                if unit_id:
                    _accountability(
                        case,
                        unit_id,
                        Accountability.Kind.DELAY,
                        f"超过{which}时限（{timezone.localtime(due):%Y-%m-%d %H:%M}）",
                        key=f"delay:{case.pk}:{which}:{due.isoformat() if due else ''}",
                        now=now,
                    )
                target = office_above(case.level)
                if target is None:
                    # No office above: the office of this level supervises (督办); the
                    # breached clock is cleared so the next run does not repeat this.
                    cleared = "accept_due_at" if which == "签收" else "resolve_due_at"
                    if Case.objects.filter(pk=case.pk, version=case.version).update(
                        breached_at=now, **{cleared: None}, version=F("version") + 1
                    ):
                        _event(
                            case,
                            "supervise",
                            unit_id=unit_id,
                            from_state=case.state,
                            to_state=case.state,
                            reason=f"超过{which}时限，由{case.level.name}联席会议办公室督办",
                            extra={"breach": which},
                            now=now,
                        )
                        _notify(
                            now,
                            case,
                            "breach",
                            f"超时督办：{case.title}",
                            jurisdiction_id=case.level_id,
                        )
                        if unit_id:
                            _notify(
                                now,
                                case,
                                "breach",
                                f"已超时，请立即办理：{case.title}",
                                unit_id=unit_id,
                            )
                        result.supervised += 1
                    continue
                case_transition(
                    case=case,
                    move="escalate",
                    actor=None,
                    reason=f"超过{which}时限，自动上报上一级",
                    changes={
                        "level": target,
                        "escalation_count": case.escalation_count + 1,
                        "breached_at": now,
                        "accept_due_at": None,
                        "response_due_at": None,
                        "resolve_due_at": None,
                    },
                    event_unit_id=unit_id,
                    extra={"breach": which, "from_level": case.level_id, "to_level": target.pk},
                    now=now,
                )
                _notify(
                    now,
                    case,
                    "breach",
                    f"超时自动上报：{case.title}",
                    jurisdiction_id=case.level_id,
                )
                if unit_id:
                    _notify(now, case, "breach", f"已超时并上报：{case.title}", unit_id=unit_id)
                result.escalated += 1
        except Conflict:
            continue  # someone acted on it meanwhile; the next run looks again

    # No first response (on site, or in contact) within the response limit: a delay
    # record, once; the case stays with the unit, whose resolve clock still runs.
    late = (
        Case.objects.filter(
            state__in=(State.DISPATCHED, State.ACCEPTED),
            response_due_at__lt=now,
            responded_at__isnull=True,
            lead_unit__isnull=False,
        )
        .exclude(
            Exists(Accountability.objects.filter(case_id=OuterRef("pk"), key__startswith="late:"))
        )
        .order_by("pk")[:batch]
    )
    for case in late:
        # Both filtered on above.
        assert case.lead_unit_id is not None and case.response_due_at is not None
        with transaction.atomic():
            due = case.response_due_at
            record = _accountability(
                case,
                case.lead_unit_id,
                Accountability.Kind.DELAY,
                f"超过响应时限（{timezone.localtime(due):%Y-%m-%d %H:%M}）未到场或联系诉求人",
                key=f"late:{case.pk}:{due.isoformat()}",
                now=now,
            )
            if record is not None:
                _notify(now, case, "late", f"超过响应时限：{case.title}", unit_id=case.lead_unit_id)
                result.late_response += 1

    # Summoned units that did not check in.
    for task in CaseTask.objects.filter(
        state=CaseTask.TaskState.PENDING, checkin_due_at__lt=now, breached_at__isnull=True
    ).select_related("case", "unit")[:batch]:
        with transaction.atomic():
            if CaseTask.objects.filter(pk=task.pk, breached_at__isnull=True).update(
                breached_at=now
            ):
                _accountability(
                    task.case,
                    task.unit_id,
                    Accountability.Kind.ABSENT,
                    f"{task.get_kind_display()}未在时限内报到",
                    key=f"absent:{task.pk}",
                    now=now,
                    task=task,
                )
                if task.requested_by_id:
                    _notify(
                        now,
                        task.case,
                        "task_breach",
                        f"{task.unit.name}未按时报到：{task.case.title}",
                        unit_id=task.requested_by_id,
                    )
                result.tasks_breached += 1

    # Feedback never rated within the rating period: closed without a rating.
    days = int(_setting("GONGZHI_RATING_DAYS", 7))
    for case in Case.objects.filter(
        state=State.FEEDBACK, updated_at__lt=now - dt.timedelta(days=days)
    ).order_by("pk")[:batch]:
        try:
            case_transition(
                case=case,
                move="close",
                actor=None,
                reason=f"反馈后 {days} 天未评价，自动结案",
                changes={"closed_at": now},
                event_unit_id=case.lead_unit_id,
                extra={"unrated": True},
                now=now,
            )
            result.closed_unrated += 1
        except Conflict:
            continue
    return result


def parse_limit_or_error(text: str, field: str) -> str:
    try:
        return str(parse_time_limit(text))
    except ValueError as exc:
        raise InvalidInput(errors=[FieldError(field, str(exc))]) from exc

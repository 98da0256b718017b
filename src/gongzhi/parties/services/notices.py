"""Publishing, replacing and withdrawing the estate's public notices (002 (三)第一、二条).
Each write checks the actor's standing (access.py), the version read, the state, then
every field at once; it changes rows conditionally and records an audit event in the same
transaction."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.org.models import Estate, User
from gongzhi.parties import access
from gongzhi.parties.events import PartiesEvent
from gongzhi.parties.models import Notice, Party
from gongzhi.parties.notice_kinds import Kind, spec

MAX_CELL = 200
# A personal mobile number (11 digits from 1): the public sees office numbers only.
MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


def _today(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


def clean_content(
    *,
    kind: str,
    rows: list[list[str]],
    long_term: bool | None,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
    today: dt.date,
) -> tuple[list[dict[str, str]], bool, dt.date, dt.date | None]:
    """Check every field at once; return the rows keyed by column, the period."""
    s = spec(kind)
    errors: list[FieldError] = []
    clean: list[dict[str, str]] = []
    if not rows:
        errors.append(FieldError("rows", _("至少填写一行内容")))
    for number, cells in enumerate(rows, start=1):
        if len(cells) > len(s.columns):
            errors.append(
                FieldError(
                    "rows", _("列数过多：本类别只有 %(n)s 列") % {"n": len(s.columns)}, row=number
                )
            )
            continue
        row: dict[str, str] = {}
        for i, column in enumerate(s.columns):
            value = cells[i].strip() if i < len(cells) else ""
            where = {"row": number, "column": str(column.label)}
            if column.required and not value:
                errors.append(FieldError("rows", _("不能为空"), **where))  # type: ignore[arg-type]
            elif len(value) > MAX_CELL:
                errors.append(
                    FieldError("rows", _("太长（最多 %(n)s 字）") % {"n": MAX_CELL}, **where)  # type: ignore[arg-type]
                )
            elif column.office_phone and MOBILE.match(re.sub(r"[\s-]", "", value)):
                errors.append(
                    FieldError("rows", _("公示只能留办公电话，不能公开个人手机号"), **where)  # type: ignore[arg-type]
                )
            row[column.key] = value
        clean.append(row)
    long = s.long_term if long_term is None else long_term
    start = valid_from or today
    if long and valid_until is not None:
        errors.append(FieldError("valid_until", _("长期公示至更新为止，不设截止日期")))
    if not long and valid_until is None:
        errors.append(FieldError("valid_until", _("非长期公示须填写截止日期")))
    if valid_until is not None and valid_until < start:
        errors.append(FieldError("valid_until", _("截止日期不能早于开始日期")))
    if errors:
        raise InvalidInput(errors=errors)
    return clean, long, start, None if long else valid_until


def _event_extra(notice: Notice) -> dict[str, Any]:
    return {
        "estate": notice.estate.code,
        "kind": notice.kind,
        "party": notice.party,
        "valid_from": notice.valid_from.isoformat(),
        "valid_until": notice.valid_until.isoformat() if notice.valid_until else None,
    }


@transaction.atomic
def notice_publish(
    *,
    actor: User,
    estate: Estate,
    kind: str,
    party: str,
    title: str,
    rows: list[list[str]],
    body: str = "",
    long_term: bool | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Notice:
    """Put a new item on ``estate``'s board in the name of ``party``."""
    now = now or timezone.now()
    if party not in Party.values or kind not in Kind.values:
        raise InvalidInput(
            errors=[FieldError("party" if kind in Kind.values else "kind", _("取值不在允许范围内"))]
        )
    unit = access.require_publish(actor, estate, party)
    clean, long, start, until = clean_content(
        kind=kind,
        rows=rows,
        long_term=long_term,
        valid_from=valid_from,
        valid_until=valid_until,
        today=_today(now),
    )
    # Estate row lock: two people publishing the same long-term item at once.
    Estate.objects.select_for_update().filter(pk=estate.pk).first()
    if (
        long
        and Notice.objects.filter(
            estate=estate, kind=kind, party=party, long_term=True, state=Notice.State.CURRENT
        ).exists()
    ):
        raise DomainError(
            _("该公示方已有公示中的同类长期公示，请更新该条公示（原内容保留为历史）"),
            code="not_now",
        )
    notice = Notice.objects.create(
        estate=estate,
        kind=kind,
        party=party,
        unit=unit,
        title=title.strip(),
        body=body.strip(),
        rows=clean,
        long_term=long,
        valid_from=start,
        valid_until=until,
        published_by=actor,
    )
    audit_record(
        actor=actor,
        action=PartiesEvent.NOTICE_PUBLISH,
        target=notice,
        unit=unit,
        to_state=notice.state,
        extra=_event_extra(notice),
    )
    return notice


def _claim(notice: Notice, expected_version: int, to: str) -> None:
    """Move a current notice to ``to`` if nobody changed it since ``expected_version``."""
    done = Notice.objects.filter(
        pk=notice.pk, version=expected_version, state=Notice.State.CURRENT
    ).update(state=to, version=F("version") + 1, updated_at=timezone.now())
    if done:
        return
    fresh = Notice.objects.get(pk=notice.pk)
    if fresh.version != expected_version:
        raise Conflict(_("该公示已被他人更新，请刷新后重试"))
    raise DomainError(
        _("该公示已%(state)s，不能再更改") % {"state": fresh.get_state_display()}, code="bad_state"
    )


@transaction.atomic
def notice_replace(
    *,
    actor: User,
    notice: Notice,
    expected_version: int,
    title: str,
    rows: list[list[str]],
    body: str = "",
    long_term: bool | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Notice:
    """A new version of a current notice; the old one stays as history."""
    now = now or timezone.now()
    unit = access.require_change(actor, notice)
    if notice.version != expected_version:
        raise Conflict(_("该公示已被他人更新，请刷新后重试"))
    if notice.state != Notice.State.CURRENT:
        raise DomainError(
            _("该公示已%(state)s，不能再更新") % {"state": notice.get_state_display()},
            code="bad_state",
        )
    clean, long, start, until = clean_content(
        kind=notice.kind,
        rows=rows,
        long_term=long_term,
        valid_from=valid_from,
        valid_until=valid_until,
        today=_today(now),
    )
    _claim(notice, expected_version, Notice.State.REPLACED)
    new = Notice.objects.create(
        estate=notice.estate,
        kind=notice.kind,
        party=notice.party,
        unit=unit,
        title=title.strip(),
        body=body.strip(),
        rows=clean,
        long_term=long,
        valid_from=start,
        valid_until=until,
        replaces=notice,
        published_by=actor,
    )
    audit_record(
        actor=actor,
        action=PartiesEvent.NOTICE_REPLACE,
        target=notice,
        unit=unit,
        from_state=Notice.State.CURRENT,
        to_state=Notice.State.REPLACED,
        extra={**_event_extra(notice), "replaced_by": new.pk},
    )
    audit_record(
        actor=actor,
        action=PartiesEvent.NOTICE_PUBLISH,
        target=new,
        unit=unit,
        to_state=new.state,
        extra={**_event_extra(new), "replaces": notice.pk},
    )
    return new


@transaction.atomic
def notice_withdraw(
    *,
    actor: User,
    notice: Notice,
    expected_version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> Notice:
    """Take a current notice off the board (kept in the history with the reason)."""
    unit = access.require_change(actor, notice)
    if not reason.strip():
        raise InvalidInput(errors=[FieldError("reason", _("请填写撤下原因"))])
    _claim(notice, expected_version, Notice.State.WITHDRAWN)
    audit_record(
        actor=actor,
        action=PartiesEvent.NOTICE_WITHDRAW,
        target=notice,
        unit=unit,
        from_state=Notice.State.CURRENT,
        to_state=Notice.State.WITHDRAWN,
        reason=reason.strip(),
        extra=_event_extra(notice),
    )
    notice.refresh_from_db()
    return notice

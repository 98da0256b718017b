"""The deadline sweep, in small steps (as Healthchecks' ``sendalerts``): each step finds
its due rows by an indexed due column, in batches until none is left, and claims each by
a conditional update or through the service that owns the change, writing its event. It
is idempotent: a second run at the same moment changes nothing more. ``gongzhi sweep``
and the Celery beat task run it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gongzhi.cases.access import office_above
from gongzhi.cases.models import Accountability, Case, CaseTask, State
from gongzhi.cases.services.closing import case_close
from gongzhi.cases.services.dispatch import case_escalate, case_supervise
from gongzhi.cases.services.events import accountability, delay, event, notify, now_or, setting
from gongzhi.cases.services.messages import rating_reminded, to_reporter
from gongzhi.common.errors import Conflict, DomainError
from gongzhi.notify.models import EventType

RUNNING = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)


@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0
    supervised: int = 0
    late_response: int = 0
    tasks_breached: int = 0
    closed_unrated: int = 0
    reminded: int = 0
    # Steps of apps above cases (GONGZHI_SWEEP_STEPS): (label, count) each.
    more: list[tuple[str, int]] = field(default_factory=list)

    def __str__(self) -> str:
        text = _(
            "预警 %(warned)s 件，超时上报 %(escalated)s 件，超时督办 %(supervised)s 件，"
            "响应超时 %(late_response)s 件，报到超时 %(tasks_breached)s 项，"
            "提醒评价 %(reminded)s 件，逾期未评价结案 %(closed_unrated)s 件"
        ) % {
            "warned": self.warned,
            "escalated": self.escalated,
            "supervised": self.supervised,
            "late_response": self.late_response,
            "tasks_breached": self.tasks_breached,
            "reminded": self.reminded,
            "closed_unrated": self.closed_unrated,
        }
        for label, count in self.more:
            text += _("，%(label)s %(count)s 件") % {"label": label, "count": count}
        return text


def _batches(qs: QuerySet, batch: int, due: str) -> Iterator[list]:
    """Rows of ``qs`` in order of their due column ``due`` (then primary key), a batch at
    a time, each batch read after the previous one was handled. The order is the partial
    index's, so a batch reads only due rows, never the table; the next batch starts after
    the last row seen, so rows a step could not claim are not read again and the loop ends
    however many rows are due (no cap per pass: a pass after an outage catches up)."""
    last: tuple[Any, int] | None = None
    while True:
        page = qs
        if last is not None:
            at, pk = last
            # ``due >= at`` is what the index reads; the OR only skips rows already seen.
            page = qs.filter(Q(**{f"{due}__gt": at}) | Q(**{due: at, "pk__gt": pk}))
            page = page.filter(**{f"{due}__gte": at})
        rows = list(page.order_by(due, "pk")[:batch])
        if not rows:
            return
        # Read before the step handles the rows: a service may clear the due column.
        last = (getattr(rows[-1], due), rows[-1].pk)
        yield rows
        if len(rows) < batch:
            return


def sweep_warn(now: dt.datetime, batch: int) -> int:
    """Warn the unit before its resolution limit runs out, once."""
    warn_before = dt.timedelta(hours=float(setting("GONGZHI_WARN_BEFORE_HOURS", 4)))
    qs = Case.objects.filter(
        state__in=RUNNING,
        warned_at__isnull=True,
        resolve_due_at__gt=now,
        resolve_due_at__lte=now + warn_before,
    ).only("pk", "title", "lead_unit_id", "resolve_due_at", "state", "version")
    count = 0
    for rows in _batches(qs, batch, "resolve_due_at"):
        for case in rows:
            assert case.resolve_due_at is not None  # filtered on it
            with transaction.atomic():
                if not Case.objects.filter(pk=case.pk, warned_at__isnull=True).update(
                    warned_at=now
                ):
                    continue
                event(
                    case,
                    "warn",
                    unit_id=case.lead_unit_id,
                    reason=_("即将超过办结时限"),
                    extra={"due_at": case.resolve_due_at.isoformat()},
                    now=now,
                )
                notify(
                    now,
                    case,
                    "warn",
                    _("即将超时：%(title)s") % {"title": case.title},
                    unit_id=case.lead_unit_id,
                )
                count += 1
    return count


def _breach_of(case: Case, now: dt.datetime) -> str:
    if case.state == State.DISPATCHED and case.accept_due_at and case.accept_due_at < now:
        return "签收"  # i18n: data (the breached limit, stored in events' extra)
    return "办结"  # i18n: data


def sweep_breach(now: dt.datetime, batch: int) -> tuple[int, int]:
    """A breached limit: a delay record against the unit, then the case climbs one level
    (004 三(四)); at the top level (no office above) that level's office supervises it.
    An escalated case whose office let its own limit pass climbs again. Two reads, one
    per limit, each by its own partial index: the acceptance limit of dispatched cases,
    then the resolution limit of cases whose clock runs."""
    accept = Case.objects.filter(state=State.DISPATCHED, accept_due_at__lt=now)
    resolve = Case.objects.filter(state__in=(*RUNNING, State.ESCALATED), resolve_due_at__lt=now)
    escalated = supervised = 0
    for qs, due in ((accept, "accept_due_at"), (resolve, "resolve_due_at")):
        qs = qs.select_related("level", "lead_unit", "matter")
        for rows in _batches(qs, batch, due):
            for case in rows:
                climbed, top = _breach(case, now)
                escalated += climbed
                supervised += top
    return escalated, supervised


def _breach(case: Case, now: dt.datetime) -> tuple[int, int]:
    """One breached case: (1, 0) when it climbed, (0, 1) when its office supervises it,
    (0, 0) when someone acted on it meanwhile (the next run looks again)."""
    which = _breach_of(case, now)
    due = case.accept_due_at if which == "签收" else case.resolve_due_at  # i18n: data
    try:
        with transaction.atomic():
            if case.lead_unit_id and case.state != State.ESCALATED:
                key = f"delay:{case.pk}:{which}:{due.isoformat() if due else ''}"
                delay(case, which, due, key, now)
            if office_above(case.level) is None:
                return (0, 1) if case_supervise(case=case, breach=which, now=now) else (0, 0)
            case_escalate(
                case=case,
                actor=None,
                reason=_("超过%(which)s时限，自动上报上一级") % {"which": which},
                breach=which,
                now=now,
            )
            if case.lead_unit_id:
                notify(
                    now, case, "breach", _("已超时并上报：%(title)s") % {"title": case.title},
                    unit_id=case.lead_unit_id,
                )  # fmt: skip
            return (1, 0)
    except (Conflict, DomainError):
        return (0, 0)


def sweep_late_response(now: dt.datetime, batch: int) -> int:
    """No first response (on site, or in contact) within the response limit: a delay
    record, once; the case stays with the unit, whose resolution clock still runs."""
    qs = Case.objects.filter(
        state__in=(State.DISPATCHED, State.ACCEPTED),
        response_due_at__lt=now,
        responded_at__isnull=True,
        lead_unit__isnull=False,
    ).exclude(
        Exists(Accountability.objects.filter(case_id=OuterRef("pk"), key__startswith="late:"))
    )
    count = 0
    for rows in _batches(qs, batch, "response_due_at"):
        for case in rows:
            assert case.lead_unit_id is not None and case.response_due_at is not None
            with transaction.atomic():
                due = case.response_due_at
                key = f"late:{case.pk}:{due.isoformat()}"
                record = delay(case, _("响应"), due, key, now, then=_("未到场或联系诉求人"))
                if record is not None:
                    notify(
                        now,
                        case,
                        "late",
                        _("超过响应时限：%(title)s") % {"title": case.title},
                        unit_id=case.lead_unit_id,
                    )
                    count += 1
    return count


def sweep_absent(now: dt.datetime, batch: int) -> int:
    """Summoned units that did not check in within the limit: a record, once."""
    qs = CaseTask.objects.filter(
        state=CaseTask.TaskState.PENDING, checkin_due_at__lt=now, breached_at__isnull=True
    ).select_related("case", "unit")
    count = 0
    for rows in _batches(qs, batch, "checkin_due_at"):
        for task in rows:
            with transaction.atomic():
                if not CaseTask.objects.filter(pk=task.pk, breached_at__isnull=True).update(
                    breached_at=now
                ):
                    continue
                accountability(
                    task.case,
                    task.unit_id,
                    Accountability.Kind.ABSENT,
                    _("%(get_kind_display)s未在时限内报到")
                    % {"get_kind_display": task.get_kind_display()},
                    key=f"absent:{task.pk}",
                    now=now,
                    task=task,
                )
                if task.requested_by_id:
                    notify(
                        now,
                        task.case,
                        "task_breach",
                        _("%(name)s未按时报到：%(title)s")
                        % {"name": task.unit.name, "title": task.case.title},
                        unit_id=task.requested_by_id,
                    )
                count += 1
    return count


def sweep_unrated(now: dt.datetime, batch: int) -> int:
    """Feedback never rated within the rating period: closed without a rating."""
    days = int(setting("GONGZHI_RATING_DAYS", 7))
    qs = Case.objects.filter(state=State.FEEDBACK, updated_at__lt=now - dt.timedelta(days=days))
    count = 0
    for rows in _batches(qs, batch, "updated_at"):
        for case in rows:
            try:
                case_close(
                    case=case,
                    actor=None,
                    reason=_("反馈后 %(days)s 天未评价，自动结案") % {"days": days},
                    extra={"unrated": True},
                    now=now,
                )
                count += 1
            except (Conflict, DomainError):
                continue
    return count


def sweep_rating_reminder(now: dt.datetime, batch: int) -> int:
    """Feedback not rated GONGZHI_RATING_REMIND_DAYS after it was sent: the reporter is
    reminded once ("rate your case", with the private link) before the rating period
    ends; the outbox row of the reminder is what makes the step idempotent."""
    days = float(setting("GONGZHI_RATING_REMIND_DAYS", 3))
    qs = (
        Case.objects.filter(state=State.FEEDBACK, updated_at__lt=now - dt.timedelta(days=days))
        .exclude(reporter_phone="", reporter_user__isnull=True)
        .select_related("estate", "lead_unit", "reporter_user")
    )
    count = 0
    for rows in _batches(qs, batch, "updated_at"):
        done = rating_reminded([c.number for c in rows])
        for case in rows:
            if case.number in done:
                continue
            with transaction.atomic():
                to_reporter(case, EventType.RATE_CASE, now)
            count += 1
    return count


def case_sweep(*, now: dt.datetime | None = None, batch: int = 500) -> SweepResult:
    """Every step once, in order."""
    now = now_or(now)
    result = SweepResult()
    result.warned = sweep_warn(now, batch)
    result.escalated, result.supervised = sweep_breach(now, batch)
    result.late_response = sweep_late_response(now, batch)
    result.tasks_breached = sweep_absent(now, batch)
    result.reminded = sweep_rating_reminder(now, batch)
    result.closed_unrated = sweep_unrated(now, batch)
    # Steps of apps above cases, named by the setting so cases imports none of them (as
    # GONGZHI_CASE_PAGE_EXTRAS): each is ``step(now, batch) -> (label, count)``.
    for path in getattr(settings, "GONGZHI_SWEEP_STEPS", []):
        result.more.append(import_string(path)(now, batch))
    return result

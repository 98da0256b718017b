"""Reads of the parties app: what an estate's board shows now, a notice's history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.org.models import Estate
from gongzhi.parties.models import Notice
from gongzhi.parties.notice_kinds import SPECS, Kind


def today() -> dt.date:
    return timezone.localdate()


def current_q(on: dt.date) -> Q:
    """Notices on the board on day ``on``: current, begun, and long-term or not expired."""
    return Q(state=Notice.State.CURRENT, valid_from__lte=on) & (
        Q(long_term=True) | Q(valid_until__gte=on)
    )


def board_notices(estate: Estate, on: dt.date | None = None) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(estate=estate)
        .filter(current_q(on or today()))
        .select_related("unit")
        .order_by("kind", "party", "-valid_from", "-id")
    )


@dataclass
class KindGroup:
    kind: str
    label: str
    columns: list[tuple[str, str]]
    source: str
    notices: list[Notice] = field(default_factory=list)


def grouped(notices: Any) -> list[KindGroup]:
    """Notices in the order of the kinds (Kind), each group with its columns."""
    groups = {
        k.value: KindGroup(
            kind=k.value,
            label=str(k.label),
            columns=[(c.key, str(c.label)) for c in SPECS[k.value].columns],
            source=SPECS[k.value].source,
        )
        for k in Kind
    }
    for n in notices:
        groups[n.kind].notices.append(n)
    return [g for g in groups.values() if g.notices]


def history(notice: Notice) -> list[Notice]:
    """The notice and every version before and after it, newest first."""
    chain = [notice]
    before = notice
    while before.replaces_id:
        before = Notice.objects.select_related("unit").get(pk=before.replaces_id)
        chain.append(before)
    after = notice
    while True:
        nxt = Notice.objects.select_related("unit").filter(replaces=after).first()
        if nxt is None:
            break
        chain.insert(0, nxt)
        after = nxt
    return chain


def estate_notices(estate: Estate) -> QuerySet[Notice]:
    """Every notice of the estate, current and past (the staff page's list)."""
    return Notice.objects.filter(estate=estate).select_related("unit", "published_by")


def status(notice: Notice, on: dt.date | None = None) -> str:
    """公示中 / 已过期 / 未开始 / 已更新 / 已撤下 as of ``on``."""
    on = on or today()
    if notice.state != Notice.State.CURRENT:
        return str(notice.get_state_display())
    if notice.valid_from > on:
        return _("未开始")
    if not notice.long_term and notice.valid_until and notice.valid_until < on:
        return _("已过期")
    return str(notice.get_state_display())


# ---------------------------------------------------------------- circulars


def received(user: Any) -> QuerySet[Any]:
    """The receipts of the user's units, unread and urgent first."""
    from gongzhi.parties import access

    return (
        access.my_receipts(user)
        .select_related("circular__estate", "circular__sender_unit", "unit")
        .order_by(F("read_at").asc(nulls_first=True), "-circular__urgent", "-created_at")
    )


def sent_and_overseen(user: Any) -> QuerySet[Any]:
    """Circulars the user's units sent or the user oversees, with receipt counts."""
    from gongzhi.parties import access

    return (
        access.readable_circulars(user)
        .annotate(
            total=Count("receipts"),
            unread=Count("receipts", filter=Q(receipts__read_at__isnull=True)),
        )
        .order_by("-created_at", "-id")
    )


def receipts_of(circular: Any) -> list[Any]:
    return list(circular.receipts.select_related("unit", "read_by").order_by("read_at", "id"))


# ---------------------------------------------------------------- reports


def reports(user: Any, *, overdue: bool = False, on: dt.date | None = None) -> QuerySet[Any]:
    """Reports the user filed, received or oversees; ``overdue``: past their feedback day
    without feedback (the office's list)."""
    from gongzhi.parties import access
    from gongzhi.parties.models import Report

    qs = access.readable_reports(user).order_by("-created_at", "-id")
    if overdue:
        qs = qs.exclude(state=Report.State.ANSWERED).filter(feedback_due__lt=on or today())
    return qs


def report_rows(report: Any) -> list[tuple[str, str]]:
    """(label, value) of a report's fields in the order of its kind."""
    from gongzhi.parties.report_kinds import SPECS

    return [(str(f.label), report.data.get(f.key, "")) for f in SPECS[report.kind].fields]


def is_overdue(report: Any, on: dt.date | None = None) -> bool:
    return report.state != "answered" and report.feedback_due < (on or today())


# ---------------------------------------------------------------- custody


def active_custody(estate: Any) -> Any:
    from gongzhi.parties.models import Custody

    return (
        Custody.objects.filter(estate=estate, state=Custody.State.ACTIVE)
        .select_related("custodian")
        .first()
    )


def custodies(estate: Any) -> list[Any]:
    from gongzhi.parties.models import Custody

    return list(Custody.objects.filter(estate=estate).select_related("custodian", "handed_to"))


# ---------------------------------------------------------------- utility works


def estate_works(estate: Any, now: Any = None) -> QuerySet[Any]:
    """Planned works at the estate not yet over, soonest first."""
    from gongzhi.parties.models import UtilityWork

    return (
        UtilityWork.objects.filter(estates=estate, ends_at__gte=now or timezone.now())
        .select_related("utility")
        .order_by("starts_at")
    )


# ---------------------------------------------------------------- outages (004 三(三))


def current_outages(estate: Any) -> QuerySet[Any]:
    """Outages at the estate not yet restored (the board shows them), latest first."""
    from gongzhi.parties.models import Outage

    return (
        Outage.objects.filter(estates=estate, state=Outage.State.OPEN)
        .select_related("utility")
        .prefetch_related("updates")
        .order_by("-started_at")
    )


def outage_suggestions(outage: Any, limit: int = 50) -> list[Any]:
    """Open cases at the outage's estates since it started whose matter the duty catalog
    puts on a utility of the same kind (or that are with the utility), not linked yet and
    not taken off this outage before (its unlink events name them)."""
    from django.db.models import Q

    from gongzhi.cases.models import OPEN_STATES, Case
    from gongzhi.common.models import AuditEvent
    from gongzhi.parties.events import PartiesEvent
    from gongzhi.parties.models import OutageCase

    if outage.state != "open":
        return []
    linked = OutageCase.objects.values("case_id")
    unlinked = {
        number
        for extra in AuditEvent.objects.filter(
            action=PartiesEvent.OUTAGE_UNLINK,
            target_type="parties.outage",
            target_id=str(outage.pk),
        ).values_list("extra", flat=True)
        for number in (extra or {}).get("cases", [])
    }
    qs = (
        Case.objects.filter(
            estate__in=outage.estates.all(),
            state__in=OPEN_STATES,
            created_at__gte=outage.started_at,
        )
        .filter(Q(matter__lead_kind_id=outage.utility.kind_id) | Q(lead_unit_id=outage.utility_id))
        .exclude(pk__in=linked)
        .exclude(number__in=sorted(unlinked))
        .select_related("estate", "matter")
        .order_by("created_at")
    )
    return list(qs[:limit])


def outage_overdue(outage: Any, now: dt.datetime | None = None) -> bool:
    """Still open after its expected restore time (the sweep reminds once)."""
    return outage.state == "open" and outage.expected_at < (now or timezone.now())


def outage_cases(outage: Any) -> list[Any]:
    from gongzhi.parties.models import OutageCase

    return list(
        OutageCase.objects.filter(outage=outage)
        .select_related("case__estate", "case__matter")
        .order_by("id")
    )


def outage_of_case(case: Any) -> Any:
    from gongzhi.parties.models import OutageCase

    link = OutageCase.objects.filter(case=case).select_related("outage").first()
    return link.outage if link is not None else None


def case_outage_note(user: Any, case: Any) -> Any:
    """The case page's note (cases/panels.py): the outage the case is linked to (a link for
    those who may read it), or a link to link it when the reader handles a current outage
    of its estate."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from gongzhi.cases.panels import PanelNote
    from gongzhi.parties import access
    from gongzhi.parties.models import Outage

    linked = outage_of_case(case)
    if linked is not None:
        readable = access.readable_outages(user).filter(pk=linked.pk).exists()
        return PanelNote(
            title=_("突发停水停电"),
            text=_("本案件由突发事件“%(title)s”引起（%(state)s）。")
            % {"title": linked.title, "state": linked.get_state_display()},
            url=reverse("parties:outage", args=[linked.pk]) if readable else "",
            link_label=_("查看事件"),
        )
    if not case.is_open:
        return None
    current = access.readable_outages(user).filter(estates=case.estate_id, state=Outage.State.OPEN)
    if not any(access.handles_outage(user, o) for o in current[:5]):
        return None
    return PanelNote(
        title=_("突发停水停电"),
        text=_("本小区有正在抢修的突发事件。"),
        url=reverse("parties:case_outage", args=[case.number]),
        link_label=_("关联到突发事件"),
    )


def report_reached(report: Any) -> list[tuple[str, str]]:
    """The bodies a report reached, in the order of its rows: (body, who) — the
    conference as its name with its seats, the office without a unit."""
    from gongzhi.parties.models import ReportBody

    groups: dict[tuple[str, int | None], list[str]] = {}
    names: dict[tuple[str, int | None], str] = {}
    for r in report.recipients.select_related("unit", "body").order_by("id"):
        key = (r.party, r.body_id)
        groups.setdefault(key, [])
        if r.unit is not None:
            groups[key].append(r.unit.name)
        label = ReportBody(r.party).label if r.party in ReportBody.values else r.party
        names[key] = f"{label}（{r.body.name}）" if r.body is not None else str(label)
    return [(names[k], "、".join(v)) for k, v in groups.items()]


def report_unreached(report: Any) -> list[str]:
    """The bodies of the kind's list with nobody on record to reach when it was filed."""
    from gongzhi.parties.models import ReportBody

    return [str(ReportBody(p).label) for p in report.unreached or [] if p in ReportBody.values]

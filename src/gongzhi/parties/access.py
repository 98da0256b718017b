"""Who may do what with the three parties' notices (002 (三)第一、二条).

Reading the board is public. Publishing, replacing and withdrawing an estate's notice is
for the party concerned — the staff of the estate's property company, the members of its
owners' committee, the residents' committee of its community — and, for any party, for the
street office above the estate and the joint-conference office that manages it. Every door
(page, API, command) asks here; nothing else decides."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.errors import NotFound, PermissionDenied
from gongzhi.org import kinds
from gongzhi.org.models import Body, BodyMember, Estate, Unit, UnitKind
from gongzhi.org.permissions import scope_for
from gongzhi.parties.models import (
    Circular,
    CircularReceipt,
    Notice,
    Outage,
    OutageTask,
    Party,
    Report,
    ReportBody,
    ReportRecipient,
    UtilityWorkReceipt,
)

ABOVE = (Party.STREET, Party.OFFICE)


def _residents_committee_kinds() -> frozenset[str]:
    return kinds.kinds_with(kinds.READS_AREA) - kinds.kinds_with(kinds.STREET_LEVEL)


def party_units(estate: Estate) -> dict[str, list[int]]:
    """The units that speak for each party of ``estate``."""
    found: dict[str, list[int]] = {p.value: [] for p in Party if p != Party.OFFICE}
    if estate.property_company_id:
        found[Party.PROPERTY_COMPANY].append(estate.property_company_id)
    if estate.owners_committee_id:
        found[Party.OWNERS_COMMITTEE].append(estate.owners_committee_id)
    local = Unit.objects.filter(
        is_active=True,
        jurisdiction__code__in=estate.community.ancestor_codes(),
        estate__isnull=True,
    ).values_list("pk", "kind_id", "jurisdiction_id")
    street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
    rc_kinds = _residents_committee_kinds()
    for pk, kind, jurisdiction_id in local:
        if kind in street_kinds:
            found[Party.STREET].append(pk)
        elif kind in rc_kinds and jurisdiction_id == estate.community_id:
            found[Party.RESIDENTS_COMMITTEE].append(pk)
    return found


def own_parties(user: Any, estate: Estate) -> dict[str, Unit]:
    """The parties of ``estate`` that ``user`` belongs to, each with the user's unit."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return {}
    mine: dict[str, int] = {}
    for party, ids in party_units(estate).items():
        for pk in ids:
            if scope.in_unit(pk):
                mine.setdefault(party, pk)
    by_pk = Unit.objects.in_bulk(list(mine.values()))
    return {party: by_pk[pk] for party, pk in mine.items()}


def standing(user: Any, estate: Estate) -> dict[str, Unit | None]:
    """The parties ``user`` may publish for on ``estate``, each with the unit recorded as
    publisher (None for the office)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return {}
    own = own_parties(user, estate)
    result: dict[str, Unit | None] = dict(own)
    street = own.get(Party.STREET)
    manages = scope.manages_jurisdiction(estate.community)
    if manages or street is not None:
        for party in Party:
            if party == Party.OFFICE and not manages:
                continue
            result.setdefault(party.value, street)
    return result


def can_publish(user: Any, estate: Estate, party: str | None = None) -> bool:
    got = standing(user, estate)
    return bool(got) if party is None else party in got


def require_publish(user: Any, estate: Estate, party: str) -> Unit | None:
    """The unit to record as publisher; PermissionDenied when the actor may not."""
    got = standing(user, estate)
    if party not in got:
        raise PermissionDenied(
            _("无权以“%(party)s”的名义在%(estate)s发布或更新公示")
            % {"party": Party(party).label, "estate": estate.name}
            if party in Party.values
            else _("无权发布公示")
        )
    return got[party]


def require_change(user: Any, notice: Notice) -> Unit | None:
    return require_publish(user, notice.estate, notice.party)


def publishing_estates(user: Any) -> QuerySet[Estate]:
    """Estates on whose board ``user`` may publish something (a list for their page):
    scoped first by the units and jurisdictions the account holds."""
    scope = scope_for(user)
    qs = Estate.objects.select_related("community", "property_company", "owners_committee")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    q = Q(pk__in=[])
    for path in scope.office_paths:
        q |= Q(community__path__startswith=path)
    if scope.unit_ids:
        q |= Q(property_company_id__in=scope.unit_ids) | Q(owners_committee_id__in=scope.unit_ids)
        units = Unit.objects.filter(pk__in=scope.unit_ids).select_related("jurisdiction")
        street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
        rc_kinds = _residents_committee_kinds()
        for unit in units:
            if unit.kind_id in street_kinds:
                q |= Q(community__path__startswith=unit.jurisdiction.path)
            elif unit.kind_id in rc_kinds:
                q |= Q(community_id=unit.jurisdiction_id)
    return qs.filter(q)


# ---------------------------------------------------------------- circulars (002 (三)第三、四条)

# Who a circular may go to: the three parties of the estate and the street above them.
CIRCULAR_PARTIES = (
    Party.PROPERTY_COMPANY,
    Party.OWNERS_COMMITTEE,
    Party.RESIDENTS_COMMITTEE,
    Party.STREET,
)


def require_send(user: Any, estate: Estate, party: str) -> Unit:
    """The actor's unit that sends as ``party``: only a party's own members send in its
    name."""
    own = own_parties(user, estate)
    if party not in own:
        raise PermissionDenied(
            _("您不是%(estate)s的%(party)s，不能以其名义通报")
            % {
                "estate": estate.name,
                "party": Party(party).label if party in Party.values else party,
            }
        )
    return own[party]


def can_send(user: Any, estate: Estate) -> bool:
    return bool(own_parties(user, estate))


def recipients(estate: Estate, parties: list[str]) -> list[tuple[str, int]]:
    """(party, unit id) of every unit that speaks for ``parties`` on ``estate``."""
    units = party_units(estate)
    return [(p, pk) for p in parties for pk in units.get(p, [])]


def readable_circulars(user: Any) -> QuerySet[Circular]:
    """Circulars sent or received by the user's units, and those of estates the user
    oversees (office, convener, auditor); scoped first."""
    scope = scope_for(user)
    qs = Circular.objects.select_related("estate__community", "sender_unit")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    ids = sorted(scope.unit_ids)
    received = CircularReceipt.objects.filter(circular=OuterRef("pk"), unit_id__in=ids)
    q = (
        Q(sender_unit_id__in=ids)
        | Q(Exists(received))
        | scope.oversight_q("estate__community__path")
    )
    return qs.filter(q)


def circular_for(user: Any, pk: Any) -> Circular:
    try:
        found = readable_circulars(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        raise NotFound(_("未找到，或无权查看"))
    return found


def sees_receipts(user: Any, circular: Circular) -> bool:
    """The sender's unit and those who oversee the estate see who has not read it."""
    scope = scope_for(user)
    return scope.in_unit(circular.sender_unit_id) or scope.reads_jurisdiction(
        circular.estate.community
    )


def my_receipts(user: Any) -> QuerySet[CircularReceipt]:
    scope = scope_for(user)
    return CircularReceipt.objects.filter(unit_id__in=sorted(scope.unit_ids))


# ---------------------------------------------------------------- reports (002 (三)第五条)


def require_file(user: Any, estate: Estate, party: str) -> Unit | None:
    """Filing a report: the party concerned, or the street or office for it (as publishing)."""
    return require_publish(user, estate, party)


def party_org_units(estate: Estate) -> list[int]:
    """The community party organisation (社区党组织) of ``estate``: active units of a kind
    in the party group whose area is the estate's community."""
    party_kinds = kinds.kinds_in_group(UnitKind.Group.PARTY)
    return list(
        Unit.objects.filter(
            is_active=True, jurisdiction_id=estate.community_id, kind_id__in=party_kinds
        ).values_list("pk", flat=True)
    )


def conference_seats(estate: Estate) -> list[tuple[int, int]]:
    """(body id, unit id) of every current seat of the three-party conference of
    ``estate``'s community (002 (一)第三条: 社区党委成员、居委会成员、业主委员会成员、物业
    服务企业负责人; its office, 第四条, receives for it too). Where the community has more
    than one, those with a seat of the estate's own owners' committee or company."""
    today = timezone.localdate()
    bodies = list(
        Body.objects.filter(
            is_active=True, kind=Body.Kind.THREE_PARTY, jurisdiction_id=estate.community_id
        ).order_by("pk")
    )
    seats = list(
        BodyMember.objects.filter(body__in=bodies, unit__isnull=False, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("body_id", "sort", "pk")
        .values_list("body_id", "unit_id")
    )
    own = {estate.owners_committee_id, estate.property_company_id} - {None}
    mine = {b for b, u in seats if u in own}
    if mine:
        bodies = [b for b in bodies if b.pk in mine]
    found: list[tuple[int, int]] = []
    for body in bodies:
        units = [u for b, u in seats if b == body.pk]
        if body.office_unit_id is not None:
            units.append(body.office_unit_id)
        found.extend((body.pk, u) for u in dict.fromkeys(units))
    return found


def report_recipients(
    estate: Estate, reach: tuple[str, ...]
) -> list[tuple[str, int | None, int | None]]:
    """(party, unit id, body id) of each body a report must reach: the office has no unit;
    the conference is reached through each of its seats (002 (三)第四条)."""
    units = party_units(estate)
    found: list[tuple[str, int | None, int | None]] = []
    for party in reach:
        if party == ReportBody.OFFICE:
            found.append((party, None, None))
        elif party == ReportBody.PARTY_ORG:
            found.extend((party, pk, None) for pk in party_org_units(estate))
        elif party == ReportBody.CONFERENCE:
            found.extend((party, pk, body) for body, pk in conference_seats(estate))
        else:
            found.extend((party, pk, None) for pk in units.get(party, []))
    return found


def readable_reports(user: Any) -> QuerySet[Report]:
    scope = scope_for(user)
    qs = Report.objects.select_related("estate__community", "filer_unit")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    ids = sorted(scope.unit_ids)
    reached = ReportRecipient.objects.filter(report=OuterRef("pk"), unit_id__in=ids)
    q = Q(filer_unit_id__in=ids) | Q(Exists(reached)) | scope.oversight_q("estate__community__path")
    return qs.filter(q)


def report_for(user: Any, pk: Any) -> Report:
    try:
        found = readable_reports(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        raise NotFound(_("未找到，或无权查看"))
    return found


def answering_unit(user: Any, report: Report) -> tuple[bool, Unit | None]:
    """Whether ``user`` may acknowledge and answer ``report`` (a member of a body it
    reaches, or the office over the estate when the office is reached), and the unit."""
    scope = scope_for(user)
    recipients = list(report.recipients.values_list("party", "unit_id"))
    for _party, unit_id in recipients:
        if unit_id is not None and scope.in_unit(unit_id):
            return True, Unit.objects.get(pk=unit_id)
    if any(p == Party.OFFICE for p, _u in recipients) and scope.manages_jurisdiction(
        report.estate.community
    ):
        return True, None
    return False, None


def require_answer(user: Any, report: Report) -> Unit | None:
    ok, unit = answering_unit(user, report)
    if not ok:
        raise PermissionDenied(_("只有报告送达的单位可以签收和反馈"))
    return unit


# ---------------------------------------------------------------- custody (001 四(二)(三))


def can_arrange_custody(user: Any, estate: Estate) -> bool:
    """The street office above the estate and the office that manages it."""
    scope = scope_for(user)
    if scope.manages_jurisdiction(estate.community):
        return True
    return Party.STREET in own_parties(user, estate)


def require_custody(user: Any, estate: Estate) -> Unit | None:
    if not can_arrange_custody(user, estate):
        raise PermissionDenied(_("只有街道办事处和联席会议办公室可以安排临时托管"))
    return own_parties(user, estate).get(Party.STREET)


def custodian_ok(estate: Estate, kind: str, unit: Unit) -> bool:
    """A custodian of ``kind`` must be the estate's street office, the residents'
    committee of its community, or a property company."""
    units = party_units(estate)
    if kind == "street":
        return unit.pk in units[Party.STREET]
    if kind == "residents_committee":
        return unit.pk in units[Party.RESIDENTS_COMMITTEE]
    # A company of the same county (or above): its area holds the estate.
    return unit.kind_id == "property_company" and estate.community.path.startswith(
        unit.jurisdiction.path
    )


# ---------------------------------------------------------------- utility works (004 三(三))


def require_announce(user: Any, utility: Unit, estates: list[Estate]) -> None:
    """The utility's own staff, or the office over every estate concerned."""
    scope = scope_for(user)
    if scope.in_unit(utility.pk):
        return
    if estates and all(scope.manages_jurisdiction(e.community) for e in estates):
        return
    raise PermissionDenied(_("只有该专营单位或所辖联席会议办公室可以发布停水停电公告"))


def my_work_receipts(user: Any) -> QuerySet[UtilityWorkReceipt]:
    scope = scope_for(user)
    return UtilityWorkReceipt.objects.filter(unit_id__in=sorted(scope.unit_ids))


# ---------------------------------------------------------------- outages (004 三(三))


def _street_paths(scope: Any) -> list[str]:
    """The areas of the street offices whose staff the account is."""
    street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
    units = Unit.objects.filter(pk__in=sorted(scope.unit_ids), kind_id__in=street_kinds)
    return [u.jurisdiction.path for u in units.select_related("jurisdiction")]


def readable_outages(user: Any) -> QuerySet[Outage]:
    """Outages of the user's utility, of estates whose company the user works for, of
    estates under the user's street office, and of estates the user oversees (office,
    convener, auditor); scoped first. Another county's sees none."""
    scope = scope_for(user)
    qs = Outage.objects.select_related("utility")
    if scope.is_admin:
        return qs
    if not scope.is_authenticated:
        return qs.none()
    ids = sorted(scope.unit_ids)
    through = Outage.estates.through.objects.filter(outage_id=OuterRef("pk"))
    area = scope.oversight_q("estate__community__path")
    for path in _street_paths(scope):
        area |= Q(estate__community__path__startswith=path)
    q = (
        Q(utility_id__in=ids)
        | Q(Exists(through.filter(estate__property_company_id__in=ids)))
        | Q(Exists(OutageTask.objects.filter(outage_id=OuterRef("pk"), unit_id__in=ids)))
        | Q(Exists(through.filter(area)))
    )
    return qs.filter(q)


def outage_for(user: Any, pk: Any) -> Outage:
    try:
        found = readable_outages(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        raise NotFound(_("未找到，或无权查看"))
    return found


def handles_outage(user: Any, outage: Outage) -> bool:
    """Linking cases, posting progress and closing: the utility's own staff, the office
    over every estate affected, or a street office over one of them."""
    scope = scope_for(user)
    if scope.in_unit(outage.utility_id):
        return True
    estates = list(outage.estates.select_related("community"))
    if estates and all(scope.manages_jurisdiction(e.community) for e in estates):
        return True
    paths = _street_paths(scope)
    return any(e.community.path.startswith(p) for e in estates for p in paths)


def require_handle_outage(user: Any, outage: Outage) -> Unit | None:
    """The unit to record as actor (the utility or the street), or None for the office."""
    if not handles_outage(user, outage):
        raise PermissionDenied(_("只有该专营单位、所在街道或联席会议办公室可以处理该事件"))
    scope = scope_for(user)
    if scope.in_unit(outage.utility_id):
        return outage.utility
    units = Unit.objects.filter(pk__in=sorted(scope.unit_ids)).order_by("pk")
    return units.first()


def outage_company_unit(user: Any, outage: Outage) -> Unit | None:
    """The user's property company among those with tasks in the outage."""
    scope = scope_for(user)
    for unit_id in outage.tasks.values_list("unit_id", flat=True).distinct():
        if scope.in_unit(unit_id):
            return Unit.objects.get(pk=unit_id)
    return None


def can_post_outage(user: Any, outage: Outage) -> bool:
    return handles_outage(user, outage) or outage_company_unit(user, outage) is not None


def require_task_done(user: Any, task: OutageTask) -> Unit:
    """Only the property company the task is for marks it done."""
    if not scope_for(user).in_unit(task.unit_id):
        raise PermissionDenied(_("只有承担该任务的物业服务企业可以标记完成"))
    return task.unit

"""Who may see and do what with a body's meetings. Pages, the API and the services all
ask these; none repeats the rules.

- the office (办公室) manages: office staff of the body's jurisdiction or above, or the
  unit the body's office sits in (002 (一)第四条: a residents' committee member);
- conveners approve topics and leave, and sign the minutes: conveners of the
  jurisdiction or above, or the person seated as 总召集人/召集人/组长;
- member units see their bodies, propose topics, ask for leave, report progress;
- auditors read; the public sees only minutes marked public."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.org.models import Body, BodyMember
from gongzhi.org.permissions import Scope

CONVENER_SEATS = (
    BodyMember.Role.GENERAL_CONVENER,
    BodyMember.Role.CONVENER,
    BodyMember.Role.LEADER,
)


def _current_seats(body: Body) -> QuerySet[BodyMember]:
    today = timezone.localdate()
    return body.members.filter(start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def member_unit_ids(body: Body) -> set[int]:
    return {u for u in _current_seats(body).values_list("unit_id", flat=True) if u is not None}


def can_manage(scope: Scope, body: Body) -> bool:
    return scope.manages_jurisdiction(body.jurisdiction) or (
        body.office_unit_id is not None and scope.in_unit(body.office_unit_id)
    )


def can_convene(scope: Scope, body: Body) -> bool:
    if scope.convenes_jurisdiction(body.jurisdiction):
        return True
    if scope.user_id is None:
        return False
    return (
        _current_seats(body).filter(role__in=CONVENER_SEATS, person__user_id=scope.user_id).exists()
    )


def is_member(scope: Scope, body: Body) -> bool:
    return bool(member_unit_ids(body) & scope.unit_ids)


def can_read(scope: Scope, body: Body) -> bool:
    return (
        scope.reads_jurisdiction(body.jurisdiction)
        or can_manage(scope, body)
        or is_member(scope, body)
        or can_convene(scope, body)
    )


def visible_bodies(scope: Scope) -> QuerySet[Body]:
    qs = Body.objects.filter(is_active=True).select_related("jurisdiction", "office_unit")
    if scope.is_admin:
        return qs
    today = timezone.localdate()
    seated = BodyMember.objects.filter(unit_id__in=scope.unit_ids, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    q = (
        scope.oversight_q("jurisdiction__path")
        | Q(pk__in=seated.values("body_id"))
        | Q(office_unit_id__in=scope.unit_ids)
    )
    if scope.user_id is not None:
        q |= Q(members__person__user_id=scope.user_id)
    return qs.filter(q).distinct()

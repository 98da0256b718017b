"""Where an account stands towards a body: the seats now, the office, the conveners, the
member units; and the bodies above one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.meetings.models import Decision
from gongzhi.org.models import Body, BodyMember, Jurisdiction
from gongzhi.org.permissions import Scope, scope_for

CONVENER_SEATS = (
    BodyMember.Role.GENERAL_CONVENER,
    BodyMember.Role.CONVENER,
    BodyMember.Role.LEADER,
)


def seated_now(qs: QuerySet[BodyMember], on: dt.date | None = None) -> QuerySet[BodyMember]:
    day = on or timezone.localdate()
    return qs.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


def current_seats(body: Body, on: dt.date | None = None) -> QuerySet[BodyMember]:
    return seated_now(BodyMember.objects.filter(body_id=body.pk), on)


def member_unit_ids(body: Body) -> set[int]:
    return {u for u in current_seats(body).values_list("unit_id", flat=True) if u is not None}


class Who:
    """One account's standing towards bodies, memoised for one request or one call.
    ``Who(None)`` is the system."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.system = user is None
        self.scope: Scope = scope_for(user)
        self._manages: dict[int, bool] = {}
        self._convenes: dict[int, bool] = {}
        self._members: dict[int, set[int]] = {}

    def manages(self, body: Body) -> bool:
        if body.pk not in self._manages:
            self._manages[body.pk] = self.scope.manages_jurisdiction(body.jurisdiction) or (
                body.office_unit_id is not None and self.scope.in_unit(body.office_unit_id)
            )
        return self._manages[body.pk]

    def convenes(self, body: Body) -> bool:
        if body.pk not in self._convenes:
            seated = (
                self.scope.user_id is not None
                and current_seats(body)
                .filter(role__in=CONVENER_SEATS, person__user_id=self.scope.user_id)
                .exists()
            )
            self._convenes[body.pk] = self.scope.convenes_jurisdiction(body.jurisdiction) or seated
        return self._convenes[body.pk]

    def member_units(self, body: Body) -> set[int]:
        if body.pk not in self._members:
            self._members[body.pk] = member_unit_ids(body)
        return self._members[body.pk]

    def is_member(self, body: Body) -> bool:
        return bool(self.member_units(body) & self.scope.unit_ids)

    def proposing_units(self, body: Body) -> set[int]:
        """The units in whose name this account may propose a topic to the body."""
        members = self.member_units(body)
        if self.manages(body):
            return members | ({body.office_unit_id} - {None})  # type: ignore[operator]
        return members & self.scope.unit_ids

    def in_unit(self, unit_id: int | None) -> bool:
        return self.scope.in_unit(unit_id)

    def decision_units(self, decision: Decision) -> set[int]:
        """The account's units among the decision's responsible and co-operating units."""
        ids = {decision.responsible_unit_id, *(u.pk for u in decision.cooperating_units.all())}
        return ids & self.scope.unit_ids


def who_of(user: Any, who: Who | None = None) -> Who:
    return who if who is not None and who.user is user else Who(user)


def next_level_body(body: Body) -> Body | None:
    """The body a matter goes to when it can't be settled here: the nearest active joint
    conference (else leadership group) of a higher level (street → district/county → city,
    004 三(四); community → street, 002 (二)第四条)."""
    codes = body.jurisdiction.ancestor_codes()[:-1]
    if not codes:
        return None
    candidates = list(
        Body.objects.filter(
            jurisdiction__code__in=codes,
            is_active=True,
            kind__in=(Body.Kind.JOINT_CONFERENCE, Body.Kind.LEADERSHIP_GROUP),
        ).select_related("jurisdiction", "office_unit")
    )
    depth = {code: i for i, code in enumerate(codes)}
    candidates.sort(
        key=lambda b: (
            -depth[b.jurisdiction.code],
            b.kind != Body.Kind.JOINT_CONFERENCE,
            b.pk,
        )
    )
    return candidates[0] if candidates else None


def jurisdiction_units_q(jurisdiction: Jurisdiction) -> Q:
    """Units a body may invite or seat: of its jurisdiction and below, or above it."""
    return Q(jurisdiction__path__startswith=jurisdiction.path) | Q(
        jurisdiction__code__in=jurisdiction.ancestor_codes()
    )

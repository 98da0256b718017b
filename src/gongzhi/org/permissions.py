"""Who may see and do what, by role and scope. Every view and API endpoint asks these
functions; none repeats the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.org.models import Estate, Jurisdiction, RoleGrant, Unit, User

Role = RoleGrant.Role


@dataclass
class Scope:
    """The roles an account holds and where. Built once per request."""

    user_id: int | None = None
    is_admin: bool = False
    roles: set[str] = field(default_factory=set)
    unit_ids: set[int] = field(default_factory=set)
    unit_roles: dict[int, set[str]] = field(default_factory=dict)
    # Jurisdiction paths the account oversees as office staff or convener, and may read
    # as an auditor.
    office_paths: list[str] = field(default_factory=list)
    convener_paths: list[str] = field(default_factory=list)
    auditor_paths: list[str] = field(default_factory=list)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, *roles: str) -> bool:
        return self.is_admin or bool(self.roles.intersection(roles))

    @staticmethod
    def _under(path: str, roots: list[str]) -> bool:
        return any(path.startswith(root) for root in roots)

    def manages_jurisdiction(self, jurisdiction: Jurisdiction) -> bool:
        """Office staff (and admins) manage a jurisdiction and everything below it."""
        return self.is_admin or self._under(jurisdiction.path, self.office_paths)

    def convenes_jurisdiction(self, jurisdiction: Jurisdiction) -> bool:
        return self.is_admin or self._under(jurisdiction.path, self.convener_paths)

    def reads_jurisdiction(self, jurisdiction: Jurisdiction) -> bool:
        return (
            self.manages_jurisdiction(jurisdiction)
            or self.convenes_jurisdiction(jurisdiction)
            or self._under(jurisdiction.path, self.auditor_paths)
        )

    def in_unit(self, unit: Unit | int | None, *roles: str) -> bool:
        if unit is None:
            return False
        unit_id = unit if isinstance(unit, int) else unit.pk
        held = self.unit_roles.get(unit_id, set())
        return bool(held) if not roles else bool(held.intersection(roles))

    def can_view_unit(self, unit: Unit) -> bool:
        return self.in_unit(unit) or self.reads_jurisdiction(unit.jurisdiction)

    def oversight_q(self, path_field: str) -> Q:
        """A filter for rows whose jurisdiction path (``path_field``) lies in the reading
        scope of this account. Empty scope matches nothing."""
        roots = self.office_paths + self.convener_paths + self.auditor_paths
        if self.is_admin:
            return Q()
        if not roots:
            return Q(pk__in=[])
        q = Q()
        for root in roots:
            q |= Q(**{f"{path_field}__startswith": root})
        return q

    def visible_units(self) -> QuerySet[Unit]:
        qs = Unit.objects.all()
        if self.is_admin:
            return qs
        return qs.filter(Q(pk__in=self.unit_ids) | self.oversight_q("jurisdiction__path"))


def scope_for(user: User | Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_gongzhi_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    scope = Scope(user_id=user.pk, is_admin=bool(user.is_superuser))
    grants = RoleGrant.objects.filter(user=user).select_related("jurisdiction")
    for grant in grants:
        scope.roles.add(grant.role)
        if grant.role == Role.PLATFORM_ADMIN:
            scope.is_admin = True
        if grant.unit_id:
            scope.unit_ids.add(grant.unit_id)
            scope.unit_roles.setdefault(grant.unit_id, set()).add(grant.role)
        if grant.jurisdiction is not None:
            path = grant.jurisdiction.path
            if grant.role == Role.OFFICE_STAFF:
                scope.office_paths.append(path)
            elif grant.role == Role.CONVENER:
                scope.convener_paths.append(path)
            elif grant.role == Role.AUDITOR:
                scope.auditor_paths.append(path)
    user._gongzhi_scope = scope
    return scope


def estate_jurisdiction_path(estate: Estate) -> str:
    return estate.community.path

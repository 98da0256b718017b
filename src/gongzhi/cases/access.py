"""Who stands where on a case, who may read which cases, who may register where, which
units a case may be sent to, and which personal data a reader sees. Every door (pages,
the JSON API, exports, PDFs, tasks) and every service asks this module; none repeats a
rule.

Sides (what a user may act as on one case):
- ``office``    staff of the joint-conference office of the case's level or above;
- ``lead``      staff of the responsible unit;
- ``assist``    staff of a unit with an open task on the case (joint handling, whistle,
                police);
- ``street``    staff of a street office (or town) whose area holds the estate, or of the
                street-level office there: may blow the whistle (001 三(二));
- ``reporter``  the resident who reported it;
- ``registrar`` the account that registered it (a dispatcher, an integration).

Reading: any side; oversight (office, convener, auditor) of an area that holds the
estate; staff of a unit that answers for the area (street offices, residents'
committees: ``reads_area`` in unit_kinds.yaml); staff of the estate's own three parties;
and units the case has involved (lead, tasks, transferring, reporting).

Personal data (PIPL): the reporter's name, phone and room, and phone numbers, ID numbers
and rooms written into free text, are shown only to the handling sides (office, lead,
assist, reporter, registrar); everyone else, including auditors, conveners, the public
and exports made by them, gets them masked."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, reduce
from typing import Any

from django.core import signing
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.utils.translation import gettext as _

# Masking lives in masking.py; the doors ask for it here, with the rules.
from gongzhi.cases.masking import (
    CallText as CallText,
)
from gongzhi.cases.masking import (
    CaseText as CaseText,
)
from gongzhi.cases.masking import (
    actor_label as actor_label,
)
from gongzhi.cases.masking import (
    call_text as call_text,
)
from gongzhi.cases.masking import (
    case_text as case_text,
)
from gongzhi.cases.masking import (
    display_name as display_name,
)
from gongzhi.cases.masking import (
    mask_name as mask_name,
)
from gongzhi.cases.masking import (
    mask_phone as mask_phone,
)
from gongzhi.cases.masking import (
    mask_text as mask_text,
)
from gongzhi.cases.masking import (
    public_summary as public_summary,
)
from gongzhi.cases.models import Case, CaseCall, CaseTask, Channel
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Jurisdiction, RoleGrant, Unit, UnitKind
from gongzhi.org.permissions import Scope, scope_for

HANDLING_ROLES = (
    RoleGrant.Role.UNIT_HANDLER,
    RoleGrant.Role.UNIT_HEAD,
    RoleGrant.Role.THREE_PARTY,
)
REPORTER_SIDES = frozenset({"office", "lead", "assist", "reporter", "registrar"})
OPEN_TASK_STATES = (CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN)
STREET_LEVELS = (Jurisdiction.Level.STREET, Jurisdiction.Level.TOWN)
# Channels staff register through (the resident's own door is ``web``).
WALK_IN_CHANNELS = (Channel.VISIT, Channel.PATROL, Channel.REFERRAL)
OFFICE_CHANNELS = tuple(c for c in Channel.values if c != Channel.WEB)
# Up to this many cases with a task for the account's units are named by id in the
# reading filter (see Viewer._task_cases_q).
TASK_IDS_INLINE = 500


# --- who the account is ---------------------------------------------------------------------


@dataclass
class Viewer:
    """An account as the case rules see it, built once per request (memoised on the user
    object like its Scope)."""

    user: Any
    scope: Scope
    handling_unit_ids: frozenset[int] = frozenset()
    # Units whose staff read by area, as (unit id, jurisdiction path).
    area_units: tuple[tuple[int, str], ...] = ()
    # Street offices the account works in, as (unit id, jurisdiction path).
    street_units: tuple[tuple[int, str], ...] = ()
    # Street-level jurisdictions whose office the account staffs, as paths.
    street_office_paths: tuple[str, ...] = ()
    # The estates whose three parties the account belongs to.
    own_estate_ids: frozenset[int] = frozenset()
    token: Any = None

    @property
    def user_id(self) -> int | None:
        return self.scope.user_id

    @property
    def is_authenticated(self) -> bool:
        return self.scope.is_authenticated

    # -- sides on one case

    def sides(self, case: Case, *, open_task_unit_ids: Iterable[int] | None = None) -> set[str]:
        """The sides this account may act on for ``case`` (see the module's docstring).
        ``open_task_unit_ids`` may be given when already loaded (lists, exports)."""
        found = self.handling_sides(case, open_task_unit_ids=open_task_unit_ids)
        if self.has_side(case, "street"):
            found.add("street")
        return found

    def handling_sides(
        self, case: Case, *, open_task_unit_ids: Iterable[int] | None = None
    ) -> set[str]:
        """The sides that handle the case (all but ``street``): those that may see the
        reporter."""
        return {
            side
            for side in ("office", "lead", "reporter", "registrar", "assist")
            if self.has_side(case, side, open_task_unit_ids=open_task_unit_ids)
        }

    def has_side(
        self, case: Case, side: str, *, open_task_unit_ids: Iterable[int] | None = None
    ) -> bool:
        """One side, asked on its own: most checks need one or two sides, and only
        ``assist`` and ``street`` cost a query."""
        scope = self.scope
        if not scope.is_authenticated:
            return False
        uid = scope.user_id
        if side == "office":
            return scope.is_admin or scope.manages_jurisdiction(case.level)
        if side == "lead":
            return bool(case.lead_unit_id and case.lead_unit_id in self.handling_unit_ids)
        if side == "reporter":
            return bool(case.reporter_user_id and case.reporter_user_id == uid)
        if side == "registrar":
            return bool(case.registered_by_id and case.registered_by_id == uid)
        if side == "assist":
            if not self.handling_unit_ids:
                return False
            ids = (
                set(open_task_unit_ids) if open_task_unit_ids is not None else open_task_units(case)
            )
            return bool(ids & self.handling_unit_ids)
        if side == "street":
            return bool(
                (self.street_units or self.street_office_paths) and self.whistle_units(case)
            )
        return False

    def whistle_units(self, case: Case) -> list[Unit]:
        """The street offices (or towns) this account may blow the whistle for on
        ``case``: those it works in whose area holds the estate, or the street-level
        office of an area it staffs as joint-conference office."""
        path = case.area_path
        unit_ids = [uid for uid, root in self.street_units if path.startswith(root)]
        roots = [root for root in self.street_office_paths if path.startswith(root)]
        if not unit_ids and not roots:
            return []
        q = Q(pk__in=unit_ids)
        for root in roots:
            q |= Q(jurisdiction__path=root)
        return list(
            Unit.objects.filter(q, is_active=True, kind_id__in=kinds.kinds_with(kinds.STREET_LEVEL))
            .select_related("jurisdiction")
            .order_by("jurisdiction__depth", "name")
        )

    def sees_reporter(self, case: Case, *, open_task_unit_ids: Iterable[int] | None = None) -> bool:
        """Whether this account sees the reporter's data on ``case`` (PIPL)."""
        sides = self.handling_sides(case, open_task_unit_ids=open_task_unit_ids)
        return bool(sides & REPORTER_SIDES)

    def reporter_q(self) -> Q:
        """``sees_reporter`` as one filter on case columns: the cases this account handles
        (office over the case's level, lead unit, open task, reporter, registrar). Search
        by phone, name or address looks only here, so a search never tells who reported a
        case the account may read but not see the reporter of."""
        scope = self.scope
        if scope.is_admin:
            return Q()
        if not scope.is_authenticated:
            return Q(pk__in=[])
        q = Q(reporter_user_id=scope.user_id) | Q(registered_by_id=scope.user_id)
        for root in _outermost(scope.office_paths):
            q |= Q(level__path__startswith=root)
        units = sorted(self.handling_unit_ids)
        if units:
            q |= Q(lead_unit_id__in=units) | Q(
                Exists(
                    CaseTask.objects.filter(
                        case_id=OuterRef("pk"), unit_id__in=units, state__in=OPEN_TASK_STATES
                    )
                )
            )
        return q

    # -- reading

    def reads(self, case: Case) -> bool:
        if not self.is_authenticated:
            return False
        scope = self.scope
        if scope.is_admin:
            return True
        path = case.area_path
        if any(path.startswith(root) for root in self.oversight_paths):
            return True
        if any(path.startswith(root) for _uid, root in self.area_units):
            return True
        if case.estate_id in self.own_estate_ids:
            return True
        uid = scope.user_id
        if uid and uid in (case.reporter_user_id, case.registered_by_id):
            return True
        units = scope.unit_ids
        if not units:
            return False
        if {case.lead_unit_id, case.transferred_from_id, case.reporting_unit_id} & units:
            return True
        return CaseTask.objects.filter(case_id=case.pk, unit_id__in=units).exists()

    @cached_property
    def oversight_paths(self) -> list[str]:
        s = self.scope
        return [*s.office_paths, *s.convener_paths, *s.auditor_paths]

    @cached_property
    def area_roots(self) -> list[str]:
        """The outermost areas whose cases this account reads (overseen, or worked in by
        an area's unit such as a street office)."""
        if not self.is_authenticated:
            return []
        return _outermost({*self.oversight_paths, *(root for _uid, root in self.area_units)})

    def readable_q(self) -> Q:
        """The cases this account may read, as one filter on case columns (indexed
        prefixes and ids, an EXISTS for tasks; no join, no DISTINCT): the OR of
        ``readable_branches``."""
        branches = self.readable_branches()
        if not branches:
            return Q(pk__in=[])
        return reduce(operator.or_, branches)

    def readable_branches(self) -> list[Q]:
        """``readable_q`` as its branches, the widest first: each outermost area the
        account oversees or works in, its estates (three parties), the cases its units
        lead, were transferred from, reported, or have a task in (one branch each), its
        own reports and registrations (none: nobody; one empty Q: everything). A count
        over many cases reads them as disjoint parts (``readable_parts``), each by its
        own index: the ledger's count and pages (cases/selectors.py ``LedgerPages``), the
        dashboards' estate map (stats/selectors.py)."""
        scope = self.scope
        if scope.is_admin:
            return [Q()]
        if not scope.is_authenticated:
            return []
        found = [Q(area_path__startswith=root) for root in self.area_roots]
        if self.own_estate_ids:
            found.append(Q(estate_id__in=sorted(self.own_estate_ids)))
        units = sorted(scope.unit_ids)
        if units:
            # The lead unit's first: most of a unit's cases, and the branch
            # case_lead_walk_idx reads without the table.
            found.append(Q(lead_unit_id__in=units))
            found.append(Q(transferred_from_id__in=units))
            found.append(Q(reporting_unit_id__in=units))
            found.append(self._task_cases_q(units))
        found.append(Q(reporter_user_id=scope.user_id) | Q(registered_by_id=scope.user_id))
        return found

    def readable_parts(self) -> list[Q]:
        """``readable_branches`` made disjoint: each branch without the cases of the
        branches before it, so that counts over the parts add up to the reader's cases
        (each case in exactly one part; tested)."""
        parts: list[Q] = []
        before: list[Q] = []
        for branch in self.readable_branches():
            part = branch
            for earlier in before:
                part &= ~earlier
            before.append(branch)
            parts.append(part)
        return parts

    def _task_cases_q(self, units: list[int]) -> Q:
        """Cases with a task for one of ``units``. A few hundred such cases are listed by
        id, so every branch of ``readable_q`` is an indexed column and PostgreSQL can
        combine them (BitmapOr) instead of testing an EXISTS on every row of the table;
        beyond that, the EXISTS."""
        ids = list(
            CaseTask.objects.filter(unit_id__in=units)
            .order_by()
            .values_list("case_id", flat=True)
            .distinct()[: TASK_IDS_INLINE + 1]
        )
        if len(ids) <= TASK_IDS_INLINE:
            return Q(pk__in=sorted(ids))
        return Q(Exists(CaseTask.objects.filter(case_id=OuterRef("pk"), unit_id__in=units)))


def viewer(user: Any, *, token: Any = None) -> Viewer:
    """The Viewer of ``user`` (anonymous: nobody), memoised on the user object."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return Viewer(user=None, scope=scope)
    cached = getattr(user, "_gongzhi_case_viewer", None)
    if cached is not None and token is None:
        return cached  # type: ignore[no-any-return]
    handling = frozenset(
        uid for uid, roles in scope.unit_roles.items() if roles.intersection(HANDLING_ROLES)
    )
    area_units: list[tuple[int, str]] = []
    street_units: list[tuple[int, str]] = []
    own_estates: set[int] = set()
    if handling:
        street_kinds = kinds.kinds_with(kinds.STREET_LEVEL)
        area_kinds = kinds.kinds_with(kinds.READS_AREA)
        party_kinds = kinds.kinds_in_group(UnitKind.Group.THREE_PARTY)
        for unit in Unit.objects.filter(pk__in=handling, is_active=True).select_related(
            "jurisdiction"
        ):
            if unit.kind_id in area_kinds:
                area_units.append((unit.pk, unit.jurisdiction.path))
            if unit.kind_id in street_kinds:
                street_units.append((unit.pk, unit.jurisdiction.path))
            if unit.kind_id in party_kinds and unit.estate_id:
                own_estates.add(unit.estate_id)
        own_estates.update(
            Estate.objects.filter(
                Q(property_company_id__in=handling) | Q(owners_committee_id__in=handling)
            ).values_list("pk", flat=True)
        )
    street_paths: tuple[str, ...] = ()
    if scope.office_paths:
        street_paths = tuple(
            Jurisdiction.objects.filter(
                path__in=scope.office_paths, level__in=STREET_LEVELS
            ).values_list("path", flat=True)
        )
    v = Viewer(
        user=user,
        scope=scope,
        handling_unit_ids=handling,
        area_units=tuple(area_units),
        street_units=tuple(street_units),
        street_office_paths=street_paths,
        own_estate_ids=frozenset(own_estates),
        token=token,
    )
    if token is None:
        user._gongzhi_case_viewer = v
    return v


def _outermost(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie under another of the set (their cases are already in)."""
    ordered = sorted(set(paths))
    kept: list[str] = []
    for p in ordered:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def open_task_units(case: Case) -> set[int]:
    return set(
        CaseTask.objects.filter(case_id=case.pk, state__in=OPEN_TASK_STATES).values_list(
            "unit_id", flat=True
        )
    )


# --- the public face of the module ----------------------------------------------------------


def sides(user: Any, case: Case) -> set[str]:
    return viewer(user).sides(case)


def can_read(user: Any, case: Case) -> bool:
    return viewer(user).reads(case)


def readable_cases(user: Any, *, by_index: bool = True) -> QuerySet[Case]:
    """Cases ``user`` may list: scoped first; callers filter and order after.

    ``by_index=False``: the same cases, the scope written so that PostgreSQL cannot read
    it by an index (one CASE over ``readable_q``) and tests it on the rows another
    filter's index found. The ledger's search asks for it when the scope is a large part
    of the table (``selectors.ledger``): there, ANDing a bitmap of millions of rows with
    the word's cost more than testing the word's rows one by one (docs/performance.md)."""
    v = viewer(user)
    if not v.is_authenticated:
        return Case.objects.none()
    q = v.readable_q()
    if not by_index and q:
        q = Q(SqlCase(When(q, then=Value(True)), default=Value(False), output_field=BooleanField()))
    return Case.objects.filter(q)


def ledger_estates(user: Any) -> QuerySet[Estate]:
    """The estates the ledger's filter offers: those of the areas the account reads, its
    own estates, and those its units serve; a property company is offered its own few,
    not every estate of the province."""
    v = viewer(user)
    if not v.is_authenticated:
        return Estate.objects.none()
    if v.scope.is_admin:
        return Estate.objects.all()
    q = Q(pk__in=sorted(v.own_estate_ids))
    for root in v.area_roots:
        q |= Q(community__path__startswith=root)
    for unit in Unit.objects.filter(pk__in=v.scope.unit_ids, is_active=True).select_related(
        "jurisdiction"
    ):
        q |= _served_estates_q(unit)
    return Estate.objects.filter(q)


def can_see_reporter(user: Any, case: Case) -> bool:
    return viewer(user).sees_reporter(case)


def acting_unit_id(user: Any, case: Case, side: str) -> int | None:
    """The unit a user acts for on a side, for the event log."""
    v = viewer(user)
    if side == "lead":
        return case.lead_unit_id
    if side == "assist":
        ids = open_task_units(case) & v.handling_unit_ids
        return min(ids) if ids else None
    if side == "street":
        found = v.whistle_units(case)
        return found[0].pk if found else None
    return None


# --- where a case may go ------------------------------------------------------------------


def serving_units(estate: Estate) -> QuerySet[Unit]:
    """The units that serve ``estate``: every active unit of the levels above it (not
    other estates' property companies or committees) and the estate's own parties. A
    case of the estate may be dispatched, transferred, joined, whistled or reported only
    to these, so that no other county's unit reads its reporter."""
    from gongzhi.org.selectors import estate_units_nearby

    return estate_units_nearby(estate)


def target_unit(estate: Estate, code: str | Unit) -> Unit | None:
    """The unit named by ``code`` if it serves ``estate``; None otherwise (the caller
    answers as for a code that does not exist)."""
    if isinstance(code, Unit):
        code = code.code
    return serving_units(estate).filter(code=code).first()


def office_above(level: Jurisdiction) -> Jurisdiction | None:
    """The nearest level above ``level`` that has a joint-conference office (someone
    holding the office role there): where an escalated case goes. A county that runs
    Gongzhi alone has none above itself."""
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


def police_for(case: Case) -> Unit | None:
    """The police serving the case's estate: the nearest police station, else the
    public security bureau (kinds with the ``police`` capability)."""
    return (
        serving_units(case.estate)
        .filter(kind_id__in=kinds.kinds_with(kinds.POLICE))
        .order_by("-jurisdiction__depth", "kind__sort", "name")
        .first()
    )


# --- who may register where ---------------------------------------------------------------


@dataclass
class IntakeRight:
    """What an account may register: through which channels, for which estates, and
    whether the reporter is the account itself."""

    channels: tuple[str, ...] = ()
    as_resident: bool = False
    reason: str = ""
    estates_q: Q = field(default_factory=lambda: Q(pk__in=[]))
    # Estate id -> within ``estates_q``: answered once per right (the right lives as
    # long as the user object it is memoised on, see ``intake_right``).
    estates_seen: dict[int, bool] = field(default_factory=dict, compare=False, repr=False)

    def refusal(self, estate: Estate, channel: str) -> str | None:
        if not self.channels:
            return self.reason or _("您无权登记诉求")
        if channel not in self.channels:
            labels = "、".join(str(Channel(c).label) for c in self.channels)
            return _("您只能通过以下渠道登记：%(labels)s") % {"labels": labels}
        if not self.serves(estate):
            return _("该小区不在您的工作范围内")
        return None

    def serves(self, estate: Estate) -> bool:
        seen = self.estates_seen.get(estate.pk)
        if seen is None:
            seen = Estate.objects.filter(self.estates_q, pk=estate.pk).exists()
            self.estates_seen[estate.pk] = seen
        return seen


def intake_right(user: Any, *, token: Any = None) -> IntakeRight:
    """Who may register, for which estates and channels (issue 8 defect 5):
    residents through the report door as themselves; office staff for their area through
    any staff channel; unit staff for the estates their unit serves, through walk-in,
    patrol and referral, plus the channels their kind of unit takes (the 12345 centre
    takes the hotlines); an integration token only through the channels it was granted.
    Auditors and conveners read; they do not register.

    The account's right is memoised on the user object, as its scope and viewer are (a
    bearer token's user object lives in the token memo for up to
    ``apiauth.MEMO_SECONDS``, a session's for one request)."""
    scope = scope_for(user)
    if not scope.is_authenticated:
        return IntakeRight(reason=_("请先登录"))
    right = getattr(user, "_gongzhi_intake_right", None)
    if right is None:
        right = _account_intake_right(user, scope)
        user._gongzhi_intake_right = right
    if token is not None:
        granted = tuple(c for c in right.channels if c in (token.channels or ()))
        right = IntakeRight(
            channels=granted,
            as_resident=right.as_resident,
            estates_q=right.estates_q,
            reason=_("该接口令牌未获授权登记诉求（gongzhi token --channels）"),
            estates_seen=right.estates_seen,
        )
    return right


def _account_intake_right(user: Any, scope: Scope) -> IntakeRight:
    if scope.is_admin:
        right = IntakeRight(channels=OFFICE_CHANNELS, estates_q=Q())
    else:
        channels: set[str] = set()
        q = Q(pk__in=[])
        if scope.office_paths:
            channels.update(OFFICE_CHANNELS)
            for root in scope.office_paths:
                q |= Q(community__path__startswith=root)
        v = viewer(user)
        if v.handling_unit_ids:
            for unit in Unit.objects.filter(
                pk__in=v.handling_unit_ids, is_active=True
            ).select_related("jurisdiction"):
                channels.update(WALK_IN_CHANNELS)
                channels.update(kinds.intake_channels(unit.kind_id))
                q |= _served_estates_q(unit)
        if channels:
            right = IntakeRight(channels=tuple(sorted(channels)), estates_q=q)
        elif scope.has(RoleGrant.Role.RESIDENT) or not scope.roles:
            right = IntakeRight(channels=(Channel.WEB,), as_resident=True, estates_q=Q())
        else:
            right = IntakeRight(reason=_("审计和召集人账号只能查阅，不能登记诉求"))
    return right


def _served_estates_q(unit: Unit) -> Q:
    """Estates a unit serves: its own estate or the estates it manages or represents
    (three parties), otherwise every estate under its jurisdiction."""
    if unit.kind_id in kinds.kinds_in_group(UnitKind.Group.THREE_PARTY):
        return (
            Q(property_company_id=unit.pk)
            | Q(owners_committee_id=unit.pk)
            | (Q(pk=unit.estate_id) if unit.estate_id else Q(pk__in=[]))
        )
    return Q(community__path__startswith=unit.jurisdiction.path)


# --- the caller on the line -------------------------------------------------------------


def normal_phone(phone: str) -> str:
    """A phone number as intake stores it: without spaces or dashes."""
    return phone.strip().replace(" ", "").replace("-", "")


def earlier_cases_by_phone(user: Any, phone: str, *, limit: int = 10) -> list[Case]:
    """The cases a caller's number reported or called about earlier, for the staff member
    taking the call: only cases this account may read and whose reporter it may see
    (PIPL), so a reader of masked phones learns nothing from typing a number."""
    phone = normal_phone(phone)
    if not (phone.isdigit() and 7 <= len(phone) <= 12):
        return []
    v = viewer(user)
    if not v.is_authenticated:
        return []
    called = CaseCall.objects.filter(case_id=OuterRef("pk"), caller_phone=phone)
    found = (
        readable_cases(user)
        .filter(Q(reporter_phone=phone) | Q(Exists(called)))
        .select_related("estate", "matter", "lead_unit", "level")
        .order_by("-created_at", "-id")[: limit * 3]
    )
    return [c for c in found if v.sees_reporter(c)][:limit]


def call_refusal(user: Any, case: Case, channel: str) -> str | None:
    """Why ``user`` may not attach a call through ``channel`` to ``case`` (None: may).
    Attaching a call is registering it, so the rule is the one of registering
    (``intake_right``) for the case's estate; a resident files their own report."""
    right = intake_right(user)
    if right.as_resident:
        return _("居民请通过“我要报事”登记诉求")
    return right.refusal(case.estate, channel)


# --- the reporter's private link ---------------------------------------------------------

FOLLOW_SALT = "gongzhi.cases.follow"


@dataclass(frozen=True)
class ReporterLink:
    """Whoever holds a case's private link: the reporter, with or without an account.
    On that one case they stand on the ``reporter`` side (follow, rate, send it back
    once); on no other case, and they are nobody anywhere else."""

    case_id: int
    is_authenticated: bool = False
    pk: None = None


def follow_token(case: Case) -> str:
    """The signed token of the case's private link. It is bound to the case's tracking
    secret, so giving the reporter a new secret ends the old link."""
    return signing.dumps([case.pk, case.track_key_hash[:16]], salt=FOLLOW_SALT, compress=True)


def case_for_follow_token(token: str) -> Case | None:
    """The case a private link opens, or None for a forged, altered or ended link."""
    try:
        pk, bound = signing.loads(token[:200], salt=FOLLOW_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    case = (
        Case.objects.select_related("estate", "matter", "lead_unit", "level").filter(pk=pk).first()
    )
    if case is None or not case.track_key_hash or case.track_key_hash[:16] != bound:
        return None
    return case


def text_for(user: Any, case: Case) -> CaseText:
    return case_text(case, viewer(user).sees_reporter(case))

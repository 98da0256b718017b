"""The one table of what may be done to a problem at each tier, and to an early-intervention
matter (002 (二)第二–七条).

Each tier (``TIERS``) declares, as data: the clause it comes from, who convenes, who takes
part, the state it starts in, its moves (those with ``to`` change the state; the others are
operations that leave it) with the sides that may make each (access.py), the note a move
writes for the public board, the tier it hands the problem to, and a guard. The limits of
each step are ``LIMITS`` (002 names no figure: these are the county's defaults, overridden
by the setting ``GONGZHI_PROBLEM_LIMITS``). ``refusal`` says why a move is not possible
now; ``offered`` lists what a user may do; the services call ``require``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.common.errors import DomainError, PermissionDenied
from gongzhi.problems.models import CLOSED_STATES, EarlyMatter, Invitation, Note, Problem
from gongzhi.problems.models import State as S
from gongzhi.problems.models import Tier as T

N = Note.Kind
ALL = ("three_party", "rc", "street", "office")
COORDINATORS = ("rc", "street", "office")


@dataclass(frozen=True)
class Move:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    sides: tuple[str, ...]
    to: str | None = None  # None: an operation that leaves the state
    note: str | None = None  # the Note kind it writes (its text is then required)
    tier: str | None = None  # the tier it hands the problem to
    guard: str = ""  # "case_linked", "case_whistled"


@dataclass(frozen=True)
class TierSpec:
    tier: str
    source: str
    convener: str | Promise
    participants: tuple[str | Promise, ...]
    start: str
    moves: tuple[Move, ...]
    # Why nobody may pass the problem on (第五条), or "" when passing on is allowed.
    no_pass_on: str | Promise = ""

    def move(self, name: str) -> Move | None:
        return next((m for m in self.moves if m.name == name), None)


def _common(open_states: tuple[str, ...], *, pass_on: bool, notes: bool) -> tuple[Move, ...]:
    """The operations every tier has while it is open."""
    ops = [
        Move("consult", _("记录协商"), open_states, ALL),
        Move("link_case", _("关联案件"), open_states, ALL),
    ]
    if notes:
        ops.append(Move("progress", _("发布进展或答复"), open_states, ALL, note=N.PROGRESS))
    if pass_on:
        ops.append(Move("pass_on", _("变更牵头方"), open_states, COORDINATORS))
    return tuple(ops)


DAILY_OPEN = (S.OPEN, S.REFERRED, S.AGREED)
MAJOR_OPEN = (S.INVESTIGATING, S.PROPOSED)
BEYOND_OPEN = (S.CONFERENCE, S.SUGGESTED, S.ASKED, S.WHISTLED)
HISTORICAL_OPEN = (S.REGISTERED, S.REPORTED, S.EXPLAINED)
THREE_PARTIES = (_("社区居委会分工负责环物委的成员"), _("业主委员会成员"), _("物业服务企业负责人"))

TIERS: dict[str, TierSpec] = {
    T.DAILY: TierSpec(
        tier=T.DAILY,
        source="002 (二)第二条",  # i18n: data (a policy citation)
        convener=_("社区居委会分工负责环物委的成员，或社区党组织授权的小区党组织负责人"),
        participants=THREE_PARTIES,
        start=S.OPEN,
        moves=(
            Move(
                "agree",
                _("形成协商落实意见"),
                (S.OPEN, S.REFERRED),
                ALL,
                S.AGREED,
                note=N.AGREED_OPINION,
            ),
            Move(
                "refer",
                _("提出初步意见，报居委会协调"),
                (S.OPEN,),
                ALL,
                S.REFERRED,
                note=N.FIRST_OPINION,
            ),
            Move(
                "to_major",
                _("转为重大问题"),
                (S.REFERRED,),
                COORDINATORS,
                S.INVESTIGATING,
                tier=T.MAJOR,
            ),
            Move("resolve", _("确认已解决"), (S.AGREED,), ALL, S.RESOLVED, note=N.RESOLUTION),
            Move(
                "return_case",
                _("转回案件办理"),
                DAILY_OPEN,
                COORDINATORS,
                S.RETURNED,
                guard="case_linked",
            ),
            *_common(DAILY_OPEN, pass_on=True, notes=False),
        ),
    ),
    T.MAJOR: TierSpec(
        tier=T.MAJOR,
        source="002 (二)第三条",  # i18n: data (a policy citation)
        convener=_("社区居民委员会"),
        participants=(
            _("社区居民委员会"),
            _("小区党组织"),
            _("环境和物业管理委员会"),
            _("业主委员会"),
            _("物业服务企业"),
            _("利益相关方"),
            _("居民代表"),
        ),
        start=S.INVESTIGATING,
        moves=(
            Move(
                "propose",
                _("提出意见，报社区党组织和联席会议办公室"),
                (S.INVESTIGATING,),
                COORDINATORS,
                S.PROPOSED,
                note=N.PROPOSAL,
            ),
            Move(
                "to_beyond",
                _("超出三方职责，提请联席会议研究"),
                MAJOR_OPEN,
                COORDINATORS,
                S.CONFERENCE,
                tier=T.BEYOND,
            ),
            Move("answer", _("登记答复"), (S.PROPOSED,), COORDINATORS, note=N.ANSWER),
            Move(
                "resolve",
                _("确认已解决"),
                (S.PROPOSED,),
                COORDINATORS,
                S.RESOLVED,
                note=N.RESOLUTION,
            ),
            Move(
                "return_case",
                _("转回案件办理"),
                MAJOR_OPEN,
                COORDINATORS,
                S.RETURNED,
                guard="case_linked",
            ),
            *_common(MAJOR_OPEN, pass_on=True, notes=True),
        ),
    ),
    T.BEYOND: TierSpec(
        tier=T.BEYOND,
        source="002 (二)第四条",  # i18n: data (a policy citation)
        convener=_("联席会议"),
        participants=(_("联席会议成员"), _("社区党组织"), _("街道（乡镇）"), _("政府有关职能部门")),
        start=S.CONFERENCE,
        moves=(
            Move(
                "suggest",
                _("联席会议提出建议，报社区党组织"),
                (S.CONFERENCE,),
                COORDINATORS,
                S.SUGGESTED,
                note=N.PROPOSAL,
            ),
            Move(
                "ask_whistle",
                _("社区党组织提请街道吹哨"),
                (S.SUGGESTED,),
                COORDINATORS,
                S.ASKED,
                guard="case_linked",
            ),
            Move(
                "whistled",
                _("登记街道吹哨、部门报到"),
                (S.ASKED,),
                ("street", "office"),
                S.WHISTLED,
                guard="case_whistled",
            ),
            Move("answer", _("登记部门答复"), (S.ASKED, S.WHISTLED), COORDINATORS, note=N.ANSWER),
            Move(
                "resolve",
                _("确认已解决"),
                (S.WHISTLED,),
                COORDINATORS,
                S.RESOLVED,
                note=N.RESOLUTION,
            ),
            *_common(BEYOND_OPEN, pass_on=True, notes=True),
        ),
    ),
    T.HISTORICAL: TierSpec(
        tier=T.HISTORICAL,
        source="002 (二)第五条",  # i18n: data (a policy citation)
        convener=_("社区居民委员会"),
        participants=THREE_PARTIES,
        start=S.REGISTERED,
        moves=(
            Move(
                "report_up",
                _("向街道和有关部门反映"),
                (S.REGISTERED,),
                COORDINATORS,
                S.REPORTED,
                note=N.PROGRESS,
            ),
            Move(
                "explain",
                _("三方共同向居民解释说明"),
                (S.REPORTED, S.EXPLAINED),
                ALL,
                S.EXPLAINED,
                note=N.EXPLANATION,
            ),
            Move(
                "answer",
                _("登记有关部门答复"),
                (S.REPORTED, S.EXPLAINED),
                COORDINATORS,
                note=N.ANSWER,
            ),
            Move(
                "resolve",
                _("确认已解决"),
                (S.EXPLAINED,),
                COORDINATORS,
                S.RESOLVED,
                note=N.RESOLUTION,
            ),
            *_common(HISTORICAL_OPEN, pass_on=False, notes=True),
        ),
        no_pass_on=_(
            "历史遗留问题由三方共同向居民解释说明，不得相互推诿、转交他方或退回（002 (二)第五条）"
        ),
    ),
}

# Days allowed at a step: (tier, state) → days. 002 sets no figure; see the module text.
DEFAULT_LIMITS: dict[str, int] = {
    "daily.open": 15,
    "daily.referred": 15,
    "daily.agreed": 30,
    "major.investigating": 30,
    "major.proposed": 60,
    "beyond.conference": 30,
    "beyond.suggested": 7,
    "beyond.asked": 15,
    "beyond.whistled": 30,
    "historical.registered": 15,
    "historical.reported": 30,
}

# ``refusal``'s answer when the user stands on none of a move's sides (403, not 400).
NOT_YOURS = "not_yours"

# Passing on and returning are what 第五条 forbids for a historical problem.
PASSING_ON = ("pass_on", "return_case")


def limit_days(tier: str, state: str) -> int | None:
    limits = {**DEFAULT_LIMITS, **getattr(settings, "GONGZHI_PROBLEM_LIMITS", {})}
    return limits.get(f"{tier}.{state}")


def due_at(tier: str, state: str, now: dt.datetime) -> dt.datetime | None:
    days = limit_days(tier, state)
    return now + dt.timedelta(days=days) if days is not None else None


def _guard(problem: Problem, guard: str) -> str | Promise | None:
    if guard == "case_linked" and problem.case_id is None:
        return _("请先关联案件（街道在案件上吹哨、部门报到；或转回该案件办理）")
    if guard == "case_whistled":
        from gongzhi.cases.models import CaseTask

        if (
            problem.case_id is None
            or not CaseTask.objects.filter(
                case_id=problem.case_id, kind=CaseTask.Kind.WHISTLE
            ).exists()
        ):
            return _("关联案件尚未由街道吹哨，请先在案件页面“街道吹哨”")
    return None


def refusal(problem: Problem, name: str, mine: set[str]) -> str | Promise | None:
    """Why ``name`` cannot be done on ``problem`` now by a user on ``mine``; None if it can."""
    spec = TIERS[problem.tier]
    if name in PASSING_ON and spec.no_pass_on:
        return spec.no_pass_on
    move = spec.move(name)
    if move is None:
        return _("%(tier)s没有这项操作") % {"tier": problem.get_tier_display()}
    if problem.state not in move.sources:
        return _("问题%(state)s，不能%(move)s") % {
            "state": problem.get_state_display(),
            "move": move.label,
        }
    if not mine.intersection(move.sides):
        return NOT_YOURS
    return _guard(problem, move.guard)


def require(problem: Problem, name: str, mine: set[str]) -> Move:
    why = refusal(problem, name, mine)
    if why == NOT_YOURS:
        raise PermissionDenied(_("您在本小区的身份不能办理这项操作"))
    if why is not None:
        raise DomainError(str(why), code="not_now")
    move = TIERS[problem.tier].move(name)
    assert move is not None
    return move


def offered(problem: Problem, mine: set[str]) -> list[str]:
    if problem.state in CLOSED_STATES or not mine:
        return []
    return [m.name for m in TIERS[problem.tier].moves if refusal(problem, m.name, mine) is None]


# ---------------------------------------------------------------- early intervention (第七条)

E = EarlyMatter.State
# The bodies the office must invite before the decision (002 (二)第七条).
EARLY_INVITEES = (Invitation.Body.STREET, Invitation.Body.PARTY_ORG)
EARLY_SOURCE = "002 (二)第七条"  # i18n: data (a policy citation)


@dataclass(frozen=True)
class EarlyMove:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    to: str | None
    sides: tuple[str, ...]


EARLY_MOVES: tuple[EarlyMove, ...] = (
    EarlyMove("invite", _("邀请提前介入"), (E.PROPOSED, E.INVITED), None, ("rc", "office")),
    EarlyMove("decide", _("登记决定"), (E.PROPOSED, E.INVITED), E.DECIDED, ("rc", "office")),
    EarlyMove("carry_out", _("登记落实情况"), (E.DECIDED,), E.CARRIED_OUT, ("rc", "office")),
    EarlyMove("withdraw", _("撤回事项"), (E.PROPOSED, E.INVITED), E.WITHDRAWN, ("rc", "office")),
)


def missing_invitations(matter: EarlyMatter) -> list[str]:
    done = set(matter.invitations.values_list("body", flat=True))
    return [b for b in EARLY_INVITEES if b not in done]


def early_refusal(matter: EarlyMatter, name: str, mine: set[str]) -> str | Promise | None:
    move = next((m for m in EARLY_MOVES if m.name == name), None)
    if move is None:
        return _("没有这项操作")
    if matter.state not in move.sources:
        return _("该事项%(state)s，不能%(move)s") % {
            "state": matter.get_state_display(),
            "move": move.label,
        }
    if not mine.intersection(move.sides):
        return NOT_YOURS
    if name == "decide":
        missing = missing_invitations(matter)
        if missing:
            labels = str(_("、")).join(str(Invitation.Body(b).label) for b in missing)
            return _(
                "决定前须由联席会议办公室邀请街道（乡镇）和社区党组织提前介入（002 (二)第七条），"
                "尚未邀请：%(missing)s"
            ) % {"missing": labels}
    return None


def early_require(matter: EarlyMatter, name: str, mine: set[str]) -> EarlyMove:
    why = early_refusal(matter, name, mine)
    if why == NOT_YOURS:
        raise PermissionDenied(_("只有社区居委会（联席会议办公室）和联席会议办公室可以办理"))
    if why is not None:
        raise DomainError(str(why), code="not_now")
    move = next(m for m in EARLY_MOVES if m.name == name)
    return move


def early_offered(matter: EarlyMatter, mine: set[str]) -> list[str]:
    return [m.name for m in EARLY_MOVES if early_refusal(matter, m.name, mine) is None]


def tier_summary(tier: str) -> dict[str, Any]:
    spec = TIERS[tier]
    return {
        "source": spec.source,
        "convener": str(spec.convener),
        "participants": [str(p) for p in spec.participants],
    }

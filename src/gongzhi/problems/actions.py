"""The one registry of what a user can do with an estate's problems and early-intervention
matters, through a page or the API. Whether an action is offered is workflow.py's answer
for the sides access.py finds; the service asks again."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.common.actions import Action, Files, Registry
from gongzhi.org.models import Estate
from gongzhi.problems import access, schemas, workflow
from gongzhi.problems import services as s
from gongzhi.problems.models import EarlyMatter, Problem
from gongzhi.problems.services.early import RAISERS

ESTATE_ACTIONS: Registry[Estate] = Registry("problems.estate")
PROBLEM_ACTIONS: Registry[Problem] = Registry("problems.problem")
MATTER_ACTIONS: Registry[EarlyMatter] = Registry("problems.matter")
CASE_ACTIONS: Registry[Any] = Registry("problems.case")


def _add(registry: Any, name: str, label: Any, input: Any, run: Any, done: Any, **kw: Any) -> None:
    registry.add(Action(name=name, label=label, input=input, run=run, done=done, **kw))


def _raise(estate: Estate, actor: Any, d: schemas.ProblemIn, f: Files) -> Problem:
    return s.problem_raise(actor=actor, estate=estate, **d.model_dump())


def _early(estate: Estate, actor: Any, d: schemas.EarlyIn, f: Files) -> EarlyMatter:
    return s.early_matter_raise(actor=actor, estate=estate, **d.model_dump())


def _from_case(case: Any, actor: Any, d: schemas.FromCaseIn, f: Files) -> Problem:
    return s.problem_from_case(actor=actor, case=case, **d.model_dump())


_add(ESTATE_ACTIONS, "raise", _("提出问题"), schemas.ProblemIn, _raise, _("已登记问题"))
_add(
    ESTATE_ACTIONS,
    "early",
    _("登记提前介入事项"),
    schemas.EarlyIn,
    _early,
    _("已登记，请邀请街道和社区党组织提前介入"),
)
_add(
    CASE_ACTIONS,
    "to_problem",
    _("转为三方协同解决问题"),
    schemas.FromCaseIn,
    _from_case,
    _("已转为三方协同解决问题"),
)


def _mover(name: str) -> Any:
    def run(problem: Problem, actor: Any, d: schemas.MoveIn, f: Files) -> Problem:
        return s.problem_transition(
            actor=actor,
            problem=problem,
            move=name,
            expected_version=d.expected_version,
            text=d.text,
        )

    return run


# Every move of every tier that goes through ``problem_transition``, with a generic label
# (the page shows the tier's own label from workflow.TIERS).
MOVE_LABELS = {
    "agree": _("形成协商落实意见"),
    "refer": _("报居委会协调"),
    "to_major": _("转为重大问题"),
    "propose": _("提出意见并上报"),
    "to_beyond": _("提请联席会议研究"),
    "suggest": _("提出建议，报社区党组织"),
    "ask_whistle": _("提请街道吹哨"),
    "whistled": _("登记街道吹哨、部门报到"),
    "report_up": _("向街道和有关部门反映"),
    "explain": _("向居民解释说明"),
    "answer": _("登记答复"),
    "progress": _("发布进展"),
    "resolve": _("确认已解决"),
    "return_case": _("转回案件办理"),
}
for _name, _label in MOVE_LABELS.items():
    _add(PROBLEM_ACTIONS, _name, _label, schemas.MoveIn, _mover(_name), _("已办理"))


def _consult(problem: Problem, actor: Any, d: schemas.ConsultIn, f: Files) -> Any:
    files = list(f.get("attachment") or [])
    return s.consultation_record(
        actor=actor, problem=problem, attachment=files[0] if files else None, **d.model_dump()
    )


def _pass_on(problem: Problem, actor: Any, d: schemas.PassOnIn, f: Files) -> Problem:
    return s.problem_pass_on(actor=actor, problem=problem, **d.model_dump())


def _link(problem: Problem, actor: Any, d: schemas.LinkCaseIn, f: Files) -> Problem:
    return s.problem_link_case(actor=actor, problem=problem, **d.model_dump())


_add(
    PROBLEM_ACTIONS,
    "consult",
    _("记录协商"),
    schemas.ConsultIn,
    _consult,
    _("已记录协商"),
    files=("attachment",),
)
_add(PROBLEM_ACTIONS, "pass_on", _("变更牵头方"), schemas.PassOnIn, _pass_on, _("已变更牵头方"))
_add(PROBLEM_ACTIONS, "link_case", _("关联案件"), schemas.LinkCaseIn, _link, _("已关联案件"))


def _invite(matter: EarlyMatter, actor: Any, d: schemas.InviteIn, f: Files) -> EarlyMatter:
    return s.early_invite(actor=actor, matter=matter, **d.model_dump())


def _early_mover(name: str) -> Any:
    def run(matter: EarlyMatter, actor: Any, d: schemas.EarlyMoveIn, f: Files) -> EarlyMatter:
        return s.early_transition(
            actor=actor, matter=matter, move=name, expected_version=d.expected_version, text=d.text
        )

    return run


_add(MATTER_ACTIONS, "invite", _("邀请提前介入"), schemas.InviteIn, _invite, _("已记录邀请"))
for _move in workflow.EARLY_MOVES[1:]:
    _add(
        MATTER_ACTIONS,
        _move.name,
        _move.label,
        schemas.EarlyMoveIn,
        _early_mover(_move.name),
        _("已办理"),
    )


def problem_offered(user: Any, problem: Problem) -> list[str]:
    return workflow.offered(problem, set(access.sides(user, problem.estate)))


def matter_offered(user: Any, matter: EarlyMatter) -> list[str]:
    mine = set(access.sides(user, matter.estate))
    if not mine:
        return []
    return workflow.early_offered(matter, mine)


def estate_offered(user: Any, estate: Estate) -> list[str]:
    mine = access.sides(user, estate)
    offered = ["raise"] if mine else []
    if set(mine) & set(RAISERS):
        offered.append("early")
    return offered


def case_offered(user: Any, case: Any) -> list[str]:
    """Offered on a case page: a case of an estate the user stands for."""
    if case.estate_id is None or case.estate is None:
        return []
    return ["to_problem"] if access.sides(user, case.estate) else []

"""The one registry of what a user can do on a case, for every door: each action's input
(one schema for the page form and the JSON body), the service it calls, its label, form
template and success message. Who may do it and when is cases/workflow.py; ``available``
is what a page shows as buttons and the API lists as ``allowed``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from gongzhi.cases import services as s
from gongzhi.cases import workflow
from gongzhi.cases.models import Case, EnforcementStep, Rating
from gongzhi.common.actions import Action, Files, Registry

VERSION_HELP = "页面或上次读取时看到的案件版本；案件已被他人更新时返回 409"


# --- inputs ----------------------------------------------------------------------------------


class Act(Schema):
    """Every action takes the version the user saw; a stale one is a conflict (409)."""

    expected_version: int | None = Field(None, ge=1, le=2**31, description=VERSION_HELP)


class ReasonIn(Act):
    reason: str = Field("", max_length=2000, description="理由或说明")


class ProposalFields(Schema):
    """Optional, on a ruling about a return (overrule, or re-dispatch upholding it): turn
    the ruling into a proposed catalog change (catalog/proposals.py)."""

    proposal_kind: str = Field(
        "",
        max_length=16,
        description="可选：把裁定转为清单修改建议：phrasing 增加常见说法、exclusion 增加排除说法、entry 新增事项",
    )
    proposal_matter: str = Field("", max_length=40, description="增加说法或排除说法的事项编码")
    proposal_words: str = Field("", max_length=2000, description="说法，每行一条或用顿号分隔")
    proposal_name: str = Field("", max_length=100, description="新增事项的名称")
    proposal_lead_kind: str = Field("", max_length=40, description="新增事项的牵头单位类型编码")


class OverruleIn(ReasonIn, ProposalFields):
    pass


class DispatchIn(ReasonIn, ProposalFields):
    matter_code: str = Field(
        "", max_length=40, description="职责清单事项编码（按清单确定责任单位）"
    )
    unit: str = Field("", max_length=64, description="或直接指定责任单位编码（须服务该小区）")


class ReturnIn(ReasonIn):
    claimed_matter_code: str = Field("", max_length=40, description="您认为适用的职责清单事项编码")


class TransferIn(ReasonIn):
    to_unit: str = Field("", max_length=64, description="接收单位编码（须服务该小区）")


class HandleIn(Act):
    result: str = Field("", max_length=5000, description="办理结果")


class RateIn(ReasonIn):
    rating: Rating = Field(
        ..., description="满意度：satisfied 满意、basic 基本满意、dissatisfied 不满意"
    )


class MergeIn(ReasonIn):
    into: str = Field("", max_length=40, description="并入的案件编号")


class TasksIn(Act):
    units: list[str] = Field(default_factory=list, max_length=20, description="单位编码")
    instructions: str = Field("", max_length=2000, description="任务要求")


class WhistleIn(TasksIn):
    street_unit: str = Field("", max_length=64, description="吹哨街道（有多个时选择）")


class TaskIn(ReasonIn):
    task: int | None = Field(
        None, ge=1, le=2**63 - 1, description="任务编号（本单位只有一项时可省略）"
    )


class TaskDoneIn(Act):
    task: int | None = Field(
        None, ge=1, le=2**63 - 1, description="任务编号（本单位只有一项时可省略）"
    )
    result: str = Field("", max_length=2000, description="完成情况")


class StopIn(Act):
    measures: str = Field("", max_length=2000, description="现场制止情况")


class ReportIn(Act):
    receiving_unit: str = Field("", max_length=64, description="接收单位（有执法权的部门）编码")
    contact: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=40)
    receiver: str = Field("", max_length=50)
    receiver_phone: str = Field("", max_length=40)
    details: str = Field("", max_length=5000)
    opinion: str = Field("", max_length=2000)
    head: str = Field("", max_length=50)


class OpinionIn(Act):
    opinion: str = Field("", max_length=2000)
    head: str = Field("", max_length=50)


class PublishIn(Act):
    summary: str = Field("", max_length=400, description="公示摘要；留空则公示事项名称和小区")


class AppealDecideIn(ReasonIn):
    upheld: bool = Field(..., description="申诉是否成立")


# --- the registry -----------------------------------------------------------------------------

registry: Registry[Case] = Registry("cases")


def _add(
    name: str,
    input: type[Schema],
    run: Any,
    *,
    files: tuple[str, ...] = (),
    api_files: bool = True,
    done: Any = None,
    summary: str = "",
) -> None:
    registry.add(
        Action(
            name=name,
            label=workflow.RULES[name].label,
            input=input,
            run=run,
            files=files,
            api_files=api_files,
            template=f"cases/actions/{name}.html",
            done=done,
            summary=summary,
        )
    )


def _uploads(files: Files, name: str) -> list[s.Upload]:
    return list(files.get(name, []))


def _v(d: Any) -> dict[str, Any]:
    return {"expected_version": d.expected_version}


# In the order a page shows them: the usual next steps first.
_add("accept", Act, lambda c, a, d, f: s.case_accept(case=c, actor=a, **_v(d)), done=_("已签收"))
_add(
    "start",
    ReasonIn,
    lambda c, a, d, f: s.case_start(case=c, actor=a, reason=d.reason, **_v(d)),
    summary="开始办理（首次响应）",
)
_add(
    "handle",
    HandleIn,
    lambda c, a, d, f: s.case_handle(
        case=c, actor=a, result=d.result, evidence=_uploads(f, "evidence"), **_v(d)
    ),
    files=("evidence",),
    api_files=False,
    summary="办结（接口以 JSON 提交结果；凭证另用 attach 上传）",
)
_add(
    "dispatch",
    DispatchIn,
    lambda c, a, d, f: s.case_ruling_proposal(
        c,
        a,
        d,
        lambda: s.case_dispatch(
            case=c,
            actor=a,
            unit=d.unit or None,
            matter_code=d.matter_code,
            reason=d.reason,
            **_v(d),
        ),
    ),
    done=_("已分派"),
)
_add(
    "feedback",
    ReasonIn,
    lambda c, a, d, f: s.case_feedback(case=c, actor=a, reason=d.reason, **_v(d)),
)
_add(
    "rate",
    RateIn,
    lambda c, a, d, f: s.case_rate(case=c, actor=a, rating=d.rating, reason=d.reason, **_v(d)),
    done=_("感谢您的评价"),
    summary="评价（诉求人，或办公室回访时代为记录）",
)
_add(
    "task_checkin",
    TaskIn,
    lambda c, a, d, f: s.case_task_checkin(case=c, actor=a, task=d.task, reason=d.reason, **_v(d)),
    done=_("已报到"),
)
_add(
    "task_done",
    TaskDoneIn,
    lambda c, a, d, f: s.case_task_done(case=c, actor=a, task=d.task, result=d.result, **_v(d)),
    done=_("协办任务已完成"),
)
_add(
    "photo",
    Act,
    lambda c, a, d, f: s.case_enforcement_photo(
        case=c, actor=a, photos=_uploads(f, "photos"), **_v(d)
    ),
    files=("photos",),
    done=_("现场照片已上传"),
    summary="拍照（至少一张现场照片）",
)
_add(
    "stop",
    StopIn,
    lambda c, a, d, f: s.case_enforcement_stop(case=c, actor=a, measures=d.measures, **_v(d)),
    summary="制止（现场制止情况）",
)
_add(
    "report",
    ReportIn,
    lambda c, a, d, f: s.case_enforcement_report(
        case=c,
        actor=a,
        receiving_unit=d.receiving_unit,
        contact=d.contact,
        contact_phone=d.contact_phone,
        receiver=d.receiver,
        receiver_phone=d.receiver_phone,
        details=d.details,
        opinion=d.opinion,
        head=d.head,
        **_v(d),
    ),
    done=_("已呈报并生成呈报表"),
    summary="呈报（填写呈报表，003 附件2）",
)
_add(
    "opinion",
    OpinionIn,
    lambda c, a, d, f: s.case_report_opinion(
        case=c, actor=a, opinion=d.opinion, head=d.head, **_v(d)
    ),
)
_add(
    "overrule",
    OverruleIn,
    lambda c, a, d, f: s.case_ruling_proposal(
        c, a, d, lambda: s.case_overrule(case=c, actor=a, reason=d.reason, **_v(d))
    ),
    summary="裁定退回不成立（记推诿扯皮）",
)
_add(
    "rule_transfer",
    ReasonIn,
    lambda c, a, d, f: s.case_rule_transfer(case=c, actor=a, reason=d.reason, **_v(d)),
    summary="裁定转办不成立（记推诿扯皮）",
)
_add(
    "return",
    ReturnIn,
    lambda c, a, d, f: s.case_return(
        case=c, actor=a, reason=d.reason, claimed_matter_code=d.claimed_matter_code, **_v(d)
    ),
    summary="退回（须写明适用的清单事项）",
)
_add(
    "transfer",
    TransferIn,
    lambda c, a, d, f: s.case_transfer(
        case=c, actor=a, to_unit=d.to_unit, reason=d.reason, **_v(d)
    ),
)
_add(
    "joint",
    TasksIn,
    lambda c, a, d, f: s.case_joint_request(
        case=c, actor=a, units=d.units, instructions=d.instructions, **_v(d)
    ),
    summary="联合执法：通知协办单位",
)
_add(
    "whistle",
    WhistleIn,
    lambda c, a, d, f: s.case_whistle(
        case=c,
        actor=a,
        street_unit=d.street_unit,
        units=d.units,
        instructions=d.instructions,
        **_v(d),
    ),
    summary="街道吹哨、部门报到",
)
_add(
    "police",
    ReasonIn,
    lambda c, a, d, f: s.case_call_police(case=c, actor=a, reason=d.reason, **_v(d)),
    summary="现场受阻，通知公安",
)
_add(
    "suspend",
    ReasonIn,
    lambda c, a, d, f: s.case_suspend(case=c, actor=a, reason=d.reason, **_v(d)),
)
_add("resume", Act, lambda c, a, d, f: s.case_resume(case=c, actor=a, **_v(d)))
_add(
    "escalate",
    ReasonIn,
    lambda c, a, d, f: s.case_escalate(case=c, actor=a, reason=d.reason, **_v(d)),
    summary="逐级上报",
)
_add(
    "send_back",
    ReasonIn,
    lambda c, a, d, f: s.case_send_back(case=c, actor=a, reason=d.reason, **_v(d)),
)
_add(
    "reopen", ReasonIn, lambda c, a, d, f: s.case_reopen(case=c, actor=a, reason=d.reason, **_v(d))
)
_add("close", ReasonIn, lambda c, a, d, f: s.case_close(case=c, actor=a, reason=d.reason, **_v(d)))
_add(
    "merge",
    MergeIn,
    lambda c, a, d, f: s.case_merge(case=c, into=d.into, actor=a, reason=d.reason, **_v(d)),
    summary="合并重复件",
)
_add(
    "attach",
    Act,
    lambda c, a, d, f: s.case_attach(case=c, actor=a, uploads=_uploads(f, "files"), **_v(d)),
    files=("files",),
    done=_("附件已上传"),
    summary="上传附件（图片或 PDF）",
)
_add(
    "callback",
    ReasonIn,
    lambda c, a, d, f: s.case_callback(case=c, actor=a, reason=d.reason, **_v(d)),
    summary="回访记录",
)
_add(
    "publish",
    PublishIn,
    lambda c, a, d, f: s.case_publish(case=c, actor=a, summary=d.summary, **_v(d)),
    done=_("公示摘要已审定"),
    summary="审定公示摘要（小区公示只显示该摘要）",
)
_add(
    "appeal",
    ReasonIn,
    lambda c, a, d, f: s.case_appeal(case=c, actor=a, reason=d.reason, **_v(d)),
    summary="对评价提出申诉",
)
_add("appeal_decide", AppealDecideIn,
     lambda c, a, d, f: s.case_appeal_decide(case=c, actor=a, upheld=d.upheld, reason=d.reason,
                                             **_v(d)),
     summary="裁定评价申诉")  # fmt: skip

# Every rule a user can apply through a door has an action; the others are applied by
# services on the system's, a conference's or an incident's authority.
INTERNAL = {"review", "decide_close", "decide_return", "incident_handle"}
assert set(workflow.RULES) - INTERNAL == set(registry.names()), "workflow and registry differ"


def available(ctx: workflow.Ctx, among: tuple[str, ...] | None = None) -> list[str]:
    """The actions the user of ``ctx`` may take now, in the registry's order; ``among``
    asks only about those (a list page's row buttons)."""
    names = registry.names() if among is None else [n for n in registry.names() if n in among]
    return [name for name in names if workflow.refusal(name, ctx) is None]


# The actions that move a case on. The first of them the user may take (in the registry's
# order) is the page's 下一步; on an enforcement case the action named by the step after the
# current one of 003 四's six comes first. Everything else waits under 其他操作.
NEXT_STEPS = (
    "accept",
    "start",
    "handle",
    "dispatch",
    "feedback",
    "rate",
    "task_checkin",
    "task_done",
    "photo",
    "stop",
    "report",
    "opinion",
    "overrule",
    "rule_transfer",
    "resume",
    "appeal_decide",
)


def next_step(case: Case, allowed: list[str]) -> str | None:
    """The one action the page puts first for this user, or None when nothing moves the
    case on (a reader, or only side actions such as attaching a file)."""
    if case.is_enforcement:
        steps = [step.value for step in EnforcementStep]
        current = case.enforcement_step or EnforcementStep.DISCOVER
        following = steps[steps.index(current) + 1 :]
        if following and following[0] in allowed:
            return following[0]
    return next((name for name in allowed if name in NEXT_STEPS), None)


def perform(action: Action[Case], case: Case, actor: Any, data: Any, files: Files) -> Any:
    """Run one action through its service (which checks the actor's right again)."""
    return action.run(case, actor, data, files)

"""Inputs of intake, shared by its doors: the API (``CaseIn``) and the resident's report
form (``WebReportIn``) read the same fields with the same limits."""

from __future__ import annotations

from ninja import Field, Schema

from gongzhi.cases.models import Channel, Urgency

IDEMPOTENCY_HELP = (
    "幂等键：同一调用方用同一键重复提交同一内容，返回首次登记的案件（200）；"
    "同一键提交不同内容返回 422。键只在调用方自己的范围内有效。"
)
CHANNEL_HELP = "来源渠道：" + "；".join(f"{v} {label}" for v, label in Channel.choices)


class IntakeFields(Schema):
    estate: str = Field(..., max_length=32, description="小区编码")
    title: str = Field(..., max_length=120)
    description: str = Field(..., max_length=5000)
    matter_code: str = Field("", max_length=40, description="职责清单事项编码；不填则待办公室分派")
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    building: str = Field("", max_length=20)
    unit_no: str = Field("", max_length=20)
    room: str = Field("", max_length=20)
    location: str = Field("", max_length=200)


class CaseIn(IntakeFields):
    channel: Channel = Field(..., description=CHANNEL_HELP)
    urgency: Urgency = Field(
        Urgency.NORMAL, description="紧急程度：normal 一般、urgent 紧急、critical 特急"
    )
    external_ref: str = Field("", max_length=64, description="对接系统的工单号（可用于台账检索）")
    reporting_unit: str = Field(
        "", max_length=64, description="发现/移交单位编码（巡查、移交必填）"
    )
    is_enforcement: bool = Field(False, description="执法处置案件（按 003 四 六步处置）")
    idempotency_key: str = Field("", max_length=100, description=IDEMPOTENCY_HELP)


class WebReportIn(IntakeFields):
    """The resident's form; ``form_key`` makes a double submit register one case."""

    estate: str = Field("", max_length=32)
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=5000)
    form_key: str = Field("", max_length=64)


class TrackIn(Schema):
    number: str = Field("", max_length=40, description="案件编号")
    key: str = Field("", max_length=20, description="查询码（登记时告知诉求人）")


class StaffIntakeIn(IntakeFields):
    """The staff intake form (a call, a visit, a patrol, a referral, a media report):
    the title may be left empty (the description's first words); ``attach_to`` names an
    open case the call is attached to instead of registering a new one."""

    channel: str = Field("", max_length=16)
    urgency: str = Field(Urgency.NORMAL, max_length=10)
    reporting_unit: str = Field("", max_length=64)
    estate: str = Field("", max_length=32)
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=5000)
    form_key: str = Field("", max_length=64)
    attach_to: str = Field("", max_length=40)


# --- the desk's multi-case actions ---------------------------------------------------------


class RepeatsIn(Schema):
    keep: str = Field(..., max_length=40, description="保留（其他案件并入）的案件编号")
    numbers: list[str] = Field(..., max_length=50, description="并入的案件编号")
    topic: bool = Field(False, description="同时作为候选议题提请联席会议（附全部案件）")
    reason: str = Field("", max_length=2000, description="说明")


class RepeatsOut(Schema):
    case: str
    merged: list[str]
    topic: int | None


class BulkDispatchIn(Schema):
    numbers: list[str] = Field(..., max_length=100, description="案件编号")
    matter_code: str = Field(
        "", max_length=40, description="统一事项编码；留空则按系统建议逐件分派"
    )


class BulkOutcomeOut(Schema):
    number: str
    ok: bool
    matter_code: str
    unit: str
    message: str

"""The input of every meetings action, one schema each, read by the API (JSON) and by the
pages (forms, through ``actions.parse_form``) alike: a field means the same thing, with
the same default and the same Chinese error, through every door.

Every value is bounded before it reaches a service or the database: ids as the database
holds them, texts no longer than their columns and without NUL bytes (PostgreSQL refuses
them), dates and times within 2000–2100, choices from the models' enums (described in
the OpenAPI document with their Chinese labels)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Literal

from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from gongzhi.common.params import DB_INT_MAX
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings.models import Attendance, Invitation, Schedule
from gongzhi.meetings.workflow import MeetingState
from gongzhi.org.models import BodyMember

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
LIST_MAX = 500
LONG = 5000  # a free text (a TextField's content) in one form field


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul", _("不能包含空字符（\\x00）"))
    return value


def _day(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("date_range", _("日期应在 2000—2100 年之间"))
    return value


def _moment(value: dt.datetime) -> dt.datetime:
    """A time without zone is Beijing time (a page's datetime-local field)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    if not FIRST_DAY <= value.astimezone(SHANGHAI).date() <= LAST_DAY:
        raise PydanticCustomError("date_range", _("日期应在 2000—2100 年之间"))
    return value


def _clock(value: dt.time) -> dt.time:
    """A time of day is Beijing wall-clock time; one sent with a zone is turned into it
    (the database keeps times of day without zone)."""
    if value.tzinfo is None:
        return value
    moment = dt.datetime.combine(dt.date(2000, 1, 3), value)
    return moment.astimezone(SHANGHAI).time().replace(tzinfo=None)


NoNul = AfterValidator(_no_nul)
Text32 = Annotated[str, Field(max_length=32), NoNul]
Text50 = Annotated[str, Field(max_length=50), NoNul]
Text100 = Annotated[str, Field(max_length=100), NoNul]
Text120 = Annotated[str, Field(max_length=120), NoNul]
Text200 = Annotated[str, Field(max_length=200), NoNul]
Text300 = Annotated[str, Field(max_length=300), NoNul]
Text500 = Annotated[str, Field(max_length=500), NoNul]
Long = Annotated[str, Field(max_length=LONG), NoNul]

Id = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
Ids = Annotated[list[Id], Field(max_length=LIST_MAX)]
Day = Annotated[dt.date, AfterValidator(_day)]
Moment = Annotated[dt.datetime, AfterValidator(_moment)]
Clock = Annotated[dt.time, AfterValidator(_clock)]


def enum_schema(enum: type[Enum], doc: str) -> dict[str, Any]:
    """An enum's OpenAPI schema with each value's Chinese label, inline (no component
    named "Role" or "Status" to clash with another app's)."""
    values = [m.value for m in enum]
    labels = "；".join(f"{m.value} {m.label}" for m in enum)  # type: ignore[attr-defined]
    kind = "integer" if all(isinstance(v, int) for v in values) else "string"
    return {"type": kind, "enum": values, "description": f"{doc}：{labels}"}


RuleChoice = Annotated[Schedule.Rule, WithJsonSchema(enum_schema(Schedule.Rule, "召开周期"))]
WeekdayChoice = Annotated[Schedule.Weekday, WithJsonSchema(enum_schema(Schedule.Weekday, "会议日"))]
MeetingStateChoice = Annotated[MeetingState, WithJsonSchema(enum_schema(MeetingState, "会议状态"))]
RoleChoice = Annotated[Invitation.Role, WithJsonSchema(enum_schema(Invitation.Role, "参会身份"))]
StatusChoice = Annotated[
    Attendance.Status, WithJsonSchema(enum_schema(Attendance.Status, "出席情况"))
]
SeatChoice = Annotated[
    BodyMember.Role, WithJsonSchema(enum_schema(BodyMember.Role, "组成人员身份"))
]
AdhocKind = Annotated[
    Literal["plenary", "partial"],
    WithJsonSchema(
        {
            "type": "string",
            "enum": ["plenary", "partial"],
            "description": "临时会议类型：plenary 全体成员会议；partial 部分成员会议",
        }
    ),
]


class EmptyIn(Schema):
    """无需输入。"""


# Defaults (both doors): the third week and three days' notice and reminder, as the
# model and the demo's street bodies have them; 000 三(四)2(4) wants the agenda in writing
# before the meeting, so a lead time of zero is a choice, not a default.
class ScheduleIn(Schema):
    """会议周期；遇节假日顺延到本月下一个工作日。"""

    rule: RuleChoice
    weekday: WeekdayChoice
    week_of_month: int = Field(3, ge=1, le=Schedule.LAST_WEEK, description="1–4；5 表示最后一周")
    interval_months: int = Field(1, ge=1, le=12, description="每 N 个月一次时的 N")
    anchor_month: int = Field(1, ge=1, le=12, description="起始月份")
    start_time: Clock = Field(dt.time(9, 0), description="开会时间（北京时间）")
    place: Text200 = ""
    notice_days: int = Field(3, ge=0, le=30, description="提前通知天数")
    remind_days: int = Field(3, ge=0, le=30, description="议定事项到期前提醒天数")
    source: Text120 = ""


class PlanIn(Schema):
    start: Day
    end: Day


class MeetingIn(Schema):
    kind: AdhocKind
    starts_at: Moment = Field(description="召开时间；不带时区时按北京时间")
    place: Text200
    title: Text200 = ""
    unit_ids: Ids = Field(default_factory=list, description="参会单位（部分成员会议必选）")


class TopicIn(Schema):
    unit_id: Id = Field(description="提出单位")
    title: Text200
    background: Long
    ask: Long
    estate_codes: Annotated[list[Text32], Field(max_length=LIST_MAX)] = Field(default_factory=list)
    case_ids: Ids = Field(
        default_factory=list,
        description="关联案件：须为本人可作为办公室办理、且在本机构辖区内的案件",
    )


class CasesTopicIn(Schema):
    case_ids: Ids = Field(default_factory=list, description="同一小区、同一事项的案件")
    title: Text200 = ""
    ask: Long = ""


class MemberIn(Schema):
    role: SeatChoice = BodyMember.Role.MEMBER
    unit_id: Id | None = None
    person_name: Text50 = ""
    title: Text100 = ""
    replaces_id: Id | None = Field(None, description="接替的现任成员（其任期至起始日前一日）")
    start_date: Day
    reason: Text500 = Field("", description="变更依据（必填），如经第几次会议确认")


class InvitationIn(Schema):
    role: RoleChoice
    unit_id: Id | None = None
    name: Text100 = ""


class ReasonIn(Schema):
    reason: Long = ""


class TransitionIn(Schema):
    to: MeetingStateChoice
    reason: Long = ""


class AttendanceRowIn(Schema):
    invitation_id: Id
    status: StatusChoice
    attendee_id: Id | None = None
    note: Text200 = ""


class AttendanceIn(Schema):
    rows: Annotated[list[AttendanceRowIn], Field(max_length=LIST_MAX)]

    @classmethod
    def from_form(cls, data: QueryDict) -> dict[str, Any]:
        # The page's table: status-<invitation>, attendee-<invitation>, note-<invitation>;
        # rows without a status are not recorded.
        rows = []
        for key in data:
            if not key.startswith("status-") or not data.get(key, "").strip():
                continue
            inv = key.removeprefix("status-")
            rows.append(
                {
                    "invitation_id": inv,
                    "status": str(data.get(key, "")).strip(),
                    "attendee_id": data.get(f"attendee-{inv}", "").strip() or None,
                    "note": data.get(f"note-{inv}", ""),
                }
            )
        return {"rows": rows}


class MinutesItemSchema(Schema):
    topic_id: Id
    report: Long = ""
    views: Long = ""
    conclusion: Long = ""


class MinutesIn(Schema):
    summary: Long = ""
    is_public: bool = False
    items: Annotated[list[MinutesItemSchema], Field(max_length=LIST_MAX)] = Field(
        default_factory=list
    )

    @classmethod
    def from_form(cls, data: QueryDict) -> dict[str, Any]:
        # The page's editor: one report-, views- and conclusion-<topic> field each.
        topics = sorted(
            {
                k.split("-", 1)[1]
                for k in data
                if k.split("-", 1)[0] in ("report", "views", "conclusion")
            }
        )
        return {
            "summary": data.get("summary", ""),
            "is_public": data.get("is_public", "") in ("on", "true", "1"),
            "items": [
                {
                    "topic_id": t,
                    "report": data.get(f"report-{t}", ""),
                    "views": data.get(f"views-{t}", ""),
                    "conclusion": data.get(f"conclusion-{t}", ""),
                }
                for t in topics
            ],
        }


class DecisionIn(Schema):
    title: Text300
    required_outcome: Long
    responsible_unit_id: Id | None = Field(None, description="责任单位（必填，只有一个）")
    cooperating_unit_ids: Ids = Field(default_factory=list)
    due_date: Day | None = Field(None, description="完成时限（必填），须晚于会议日期")
    topic_id: Id | None = None
    case_ids: Ids = Field(
        default_factory=list,
        description="关联案件：须为本人可作为办公室办理、且在本机构辖区内的案件；"
        "不填时沿用议题的案件",
    )
    closes_cases: bool = Field(True, description="办结时结案（否则交回承办单位办理）")
    case_instructions: Long = ""


class ReviewIn(Schema):
    approve: bool
    reason: Long = ""


class ScheduleTopicIn(Schema):
    meeting_id: Id


class LeaveIn(Schema):
    reason: Long
    substitute_id: Id | None = Field(None, description="代会人员（本单位在职人员，必填）")


class TextIn(Schema):
    text: Long


class OutcomeIn(Schema):
    outcome: Long


class InboxReadIn(Schema):
    ids: Ids = Field(default_factory=list, description="要标为已读的消息；不填为全部")

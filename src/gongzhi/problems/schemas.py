"""The input of every problems action: one schema for the page form and the JSON body."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gongzhi.parties.models import Party
from gongzhi.problems.models import Consultation, EarlyMatter, Invitation, Tier

VERSION = Field(..., ge=1, le=2**31 - 1, description="读取时的版本号")


class ProblemIn(Schema):
    tier: Tier = Field(..., description="层级：日常 / 重大 / 超出三方职责 / 历史遗留")
    title: str = Field(..., min_length=1, max_length=120, description="问题（公示栏可见）")
    description: str = Field("", max_length=4000, description="情况（仅三方和有关单位可见）")
    lead_party: Party = Field(Party.RESIDENTS_COMMITTEE, description="牵头方")


class FromCaseIn(Schema):
    tier: Tier = Field(Tier.DAILY, description="层级")
    title: str = Field("", max_length=120, description="问题；不填取案件标题")
    description: str = Field("", max_length=4000, description="情况")
    lead_party: Party = Field(Party.RESIDENTS_COMMITTEE, description="牵头方")


class MoveIn(Schema):
    expected_version: int = VERSION
    text: str = Field("", max_length=4000, description="意见、进展、答复或说明（公示栏可见）")


class PassOnIn(Schema):
    expected_version: int = VERSION
    lead_party: Party = Field(..., description="新的牵头方")
    reason: str = Field(..., max_length=500, description="理由")


class LinkCaseIn(Schema):
    expected_version: int = VERSION
    case_number: str = Field(..., min_length=1, max_length=40, description="案件台账编号")


class ConsultIn(Schema):
    held_on: dt.date = Field(..., description="日期")
    form: Consultation.Form = Field(..., description="形式（002 (二)第六条）")
    participants: str = Field(..., max_length=2000, description="参加人员（单位、职务）")
    summary: str = Field(..., max_length=4000, description="情况摘要")


class EarlyIn(Schema):
    kind: EarlyMatter.Kind = Field(..., description="事项类别（002 (二)第七条）")
    title: str = Field(..., min_length=1, max_length=120, description="事项")
    description: str = Field("", max_length=4000, description="情况")


class InviteIn(Schema):
    expected_version: int = VERSION
    body: Invitation.Body = Field(..., description="受邀方：街道（乡镇）或社区党组织")
    invited_on: dt.date = Field(..., description="邀请日期")
    invitee: str = Field("", max_length=100, description="受邀单位；不填按小区所在街道、社区")
    note: str = Field("", max_length=2000, description="说明")


class EarlyMoveIn(Schema):
    expected_version: int = VERSION
    text: str = Field(..., max_length=4000, description="决定、落实情况或撤回理由")

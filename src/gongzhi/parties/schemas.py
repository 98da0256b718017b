"""The input of every parties action: one schema for the page form and the JSON body."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator

from gongzhi.parties.models import Party
from gongzhi.parties.notice_kinds import Kind
from gongzhi.parties.report_kinds import ReportKind

ROWS_HELP = (
    "公示内容，每行一组，按该类别的列顺序填写（见 GET /api/parties/notice-kinds）。"
    "页面上每行一条，列之间用 | 分隔"
)


def _split_rows(value: Any) -> Any:
    """A form's text (one row a line, cells split by |) becomes rows of cells; the API's
    list of lists passes as it is."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        rows: list[list[str]] = []
        for text in value:
            for line in text.splitlines():
                if line.strip():
                    rows.append([cell.strip() for cell in line.split("|")])
        return rows
    return value


class NoticeContent(Schema):
    title: str = Field(..., min_length=1, max_length=100, description="标题")
    body: str = Field("", max_length=2000, description="说明（可空）")
    rows: list[list[str]] = Field(..., description=ROWS_HELP, max_length=200)
    long_term: bool | None = Field(None, description="长期公示（至更新为止）；不填按类别的默认")
    valid_from: dt.date | None = Field(None, description="公示开始日期；不填为今天")
    valid_until: dt.date | None = Field(None, description="公示截止日期；非长期公示必填")

    @field_validator("rows", mode="before")
    @classmethod
    def _rows(cls, value: Any) -> Any:
        return _split_rows(value)


class NoticeIn(NoticeContent):
    kind: Kind = Field(..., description="公示类别")
    party: Party = Field(..., description="公示方")


class NoticeReplaceIn(NoticeContent):
    expected_version: int = Field(..., ge=1, le=2**31 - 1, description="读取时的版本号")


class NoticeWithdrawIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**31 - 1, description="读取时的版本号")
    reason: str = Field(..., min_length=1, max_length=300, description="撤下原因")


class CircularIn(Schema):
    sender_party: Party = Field(..., description="以哪一方的名义通报（须为本方成员）")
    to_parties: list[Party] = Field(
        default_factory=list,
        description="接收方：property_company / owners_committee / residents_committee / street",
        max_length=4,
    )
    title: str = Field(..., min_length=1, max_length=100)
    body: str = Field(..., min_length=1, max_length=5000)
    urgent: bool = Field(False, description="重要紧急信息：即时送达各接收单位并要求阅知回执")


class ReadIn(Schema):
    pass


class ReportIn(Schema):
    kind: ReportKind = Field(
        ..., description="报告类别（各类别的填报项见 GET /api/parties/report-kinds）"
    )
    filer_party: Party = Field(..., description="报告方")
    fields: dict[str, str] = Field(default_factory=dict, description="填报项：项名 → 内容")


class ReportAckIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**31 - 1, description="读取时的版本号")


class ReportAnswerIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**31 - 1, description="读取时的版本号")
    feedback: str = Field(..., min_length=1, max_length=3000, description="反馈意见")


class CustodyIn(Schema):
    custodian_kind: str = Field(
        ...,
        description="托管方类别：street / residents_committee / appointed_company",
        max_length=24,
    )
    custodian_id: int = Field(..., ge=1, le=2**63 - 1, description="托管单位 id")
    starts: dt.date = Field(..., description="托管开始")
    ends: dt.date | None = Field(None, description="托管期满（可空）")
    scope: str = Field(..., min_length=1, max_length=2000, description="托管范围")


class HandOverIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**31 - 1)
    company_id: int = Field(..., ge=1, le=2**63 - 1, description="接管的物业服务企业 id")
    handover_date: dt.date
    note: str = Field(..., min_length=1, max_length=2000, description="移交事项")


class CustodyEndIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**31 - 1)
    ended_on: dt.date = Field(..., description="结束日期")
    # Required by the service, which says so in its own words (a blank one too).
    reason: str = Field("", max_length=2000, description="结束原因（必填）")


class UtilityWorkIn(Schema):
    utility_id: int = Field(..., ge=1, le=2**63 - 1, description="专营单位 id")
    estate_codes: list[str] = Field(..., max_length=200, description="涉及小区编码")
    supply: str = Field(..., max_length=16, description="water / power / gas / heat / telecom")
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)


class OutageIn(Schema):
    utility_id: int = Field(..., ge=1, le=2**63 - 1, description="专营单位 id")
    estate_codes: list[str] = Field(..., max_length=200, description="涉及小区编码")
    supply: str = Field(..., max_length=16, description="water / power / gas / heat / telecom")
    started_at: dt.datetime = Field(..., description="发生时间")
    expected_at: dt.datetime = Field(..., description="预计恢复时间")
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)


class OutageLinkIn(Schema):
    numbers: list[str] = Field(..., min_length=1, max_length=200, description="案件编号")


class OutageUnlinkIn(Schema):
    number: str = Field(..., max_length=40, description="案件编号")
    # Required by the service, which says so in its own words (a blank one too).
    reason: str = Field("", max_length=200, description="取消关联的原因（必填）")


class OutagePostIn(Schema):
    text: str = Field(..., min_length=1, max_length=500, description="抢修进展")


class OutageTaskDoneIn(Schema):
    note: str = Field("", max_length=200)


class OutageCloseIn(Schema):
    expected_version: int = Field(..., ge=1, le=2**31 - 1)
    note: str = Field(..., min_length=1, max_length=2000, description="恢复情况")
    restored_at: dt.datetime | None = Field(None, description="恢复时间（默认现在）")

"""The input of every campaign action, one schema for the page's form and the JSON body.
The form fields and classes come as YAML/JSON text (the page's text area) or as data
(the API); campaigns/fields.py reads both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

VERSION_MAX = 2**31 - 1

# A list of field definitions (or of classes), or its YAML/JSON text: ``Any`` so that a
# page's text area is one value; campaigns/fields.py checks the shape field by field.
Definitions = Any
Classes = Any


class CampaignIn(Schema):
    jurisdiction: str = Field(..., max_length=20, description="辖区代码")
    title: str = Field(..., max_length=100)
    basis: str = Field("", max_length=300, description="依据文件")
    starts: dt.date
    ends: dt.date
    survey_due: dt.date = Field(..., description="摸排认定表上报截止")
    report_dues: list[dt.date] = Field(default_factory=list, description="各期进展报告截止")
    fields: Definitions = Field(..., description="摸排表字段：列表或其 YAML/JSON 文本")
    classes: Classes = Field(..., description="认定类型：列表，或每行一项的文本")


class FormIn(Schema):
    expected_version: int = Field(..., ge=0, le=VERSION_MAX)
    fields: Definitions
    classes: Classes


class SurveyIn(Schema):
    estate: str = Field(..., max_length=32, description="小区编码")
    expected_version: int = Field(
        0, ge=0, le=VERSION_MAX, description="新填报为 0；修改时为读到的版本"
    )
    classification: str = Field(..., max_length=40)
    values: dict[str, Any] = Field(default_factory=dict, description="按字段代号（key）取值")


class ImportIn(Schema):
    valid_only: bool = Field(False, description="有错误时仍导入无误的行")


class ReportIn(Schema):
    street: str = Field(..., max_length=20, description="街道辖区代码")
    due: dt.date
    expected_version: int = Field(
        0, ge=0, le=VERSION_MAX, description="首次报送为 0；重报时为读到的版本"
    )
    situation: str = Field(..., max_length=5000, description="基本情况")
    measures: str = Field(..., max_length=5000, description="工作措施")
    problems: str = Field(..., max_length=5000, description="存在问题和建议")

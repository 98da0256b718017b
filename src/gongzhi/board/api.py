"""The estate board as JSON (public): the estate, the office contacts the board shows and
the three parties' notices on the board today. No personal data of residents."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from gongzhi.board.views import ESTATE_RELATED, contact_lines
from gongzhi.common.schemas import READ_ERRORS
from gongzhi.org.models import Estate
from gongzhi.parties import selectors
from gongzhi.parties.api import CustodyOut, NoticeOut, custody_out, notice_out
from gongzhi.parties.api_outages import OutagePublicOut, outage_public
from gongzhi.problems import selectors as problems
from gongzhi.problems.api import MatterPublicOut, ProblemPublicOut

router = Router(tags=["小区公示"])


class ContactOut(Schema):
    name: str
    phone: str = Field(..., description="办公电话")


class BoardOut(Schema):
    code: str
    name: str
    address: str
    community: str
    street: str
    has_property_company: bool
    contacts: list[ContactOut]
    custody: CustodyOut | None = Field(None, description="无物业服务企业时的临时托管")
    notices: list[NoticeOut] = Field(..., description="今天在公示期内的公示")
    problems: list[ProblemPublicOut] = Field(
        ..., description="三方协同解决问题：协商意见、进展和答复（002 (三)第一条）"
    )
    early_matters: list[MatterPublicOut] = Field(
        ..., description="重大事项提前介入及其状态（002 (二)第七条）"
    )
    outages: list[OutagePublicOut] = Field(
        default_factory=list, description="正在抢修的突发停水停电（不含案件）"
    )


@router.get(
    "/estates/{code}",
    response={200: BoardOut, **READ_ERRORS},
    auth=None,
    summary="小区公示栏（公开）：联系方式与三方公示",
)
def board(request: HttpRequest, code: str) -> dict[str, Any]:
    estate = get_object_or_404(Estate.objects.select_related(*ESTATE_RELATED), code=code[:32])
    return {
        "code": estate.code,
        "name": estate.name,
        "address": estate.address,
        "community": estate.community.name,
        "street": estate.community.parent.name if estate.community.parent else "",
        "has_property_company": estate.property_company_id is not None,
        "contacts": [{"name": n, "phone": p} for n, p in contact_lines(estate)],
        "custody": _custody(estate),
        "notices": [notice_out(n) for n in selectors.board_notices(estate)],
        "problems": problems.board_problems(estate),
        "early_matters": problems.board_matters(estate),
        "outages": [outage_public(o) for o in selectors.current_outages(estate)[:5]],
    }


def _custody(estate: Estate) -> dict[str, Any] | None:
    found = selectors.active_custody(estate)
    return custody_out(found, None) if found is not None else None

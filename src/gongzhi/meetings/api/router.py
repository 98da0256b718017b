"""The meetings router and what its endpoints share: bearer token or session (the same
permissions as the pages), the error answers every endpoint declares, the filters."""

from __future__ import annotations

from typing import Annotated, Any, cast

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gongzhi.common.apiauth import api_auth
from gongzhi.common.params import DB_INT_MAX
from gongzhi.meetings import access
from gongzhi.org.models import User

router = Router(tags=["联席会议"], auth=api_auth)


class FieldErrorOut(Schema):
    field: str
    message: str
    row: int | None = None
    column: str | None = None


class ErrorOut(Schema):
    """拒绝的原因：code 为 invalid（422，附逐项 errors）、not_found（404）、
    permission_denied（403）、conflict（409，他人已先处理）、domain_error（400）、
    unauthenticated（401）；message 为中文说明。"""

    code: str
    message: str
    errors: list[FieldErrorOut] | None = None


ERRORS: dict[Any, type[Schema]] = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


def answers(ok: Any, status: int = 200) -> dict[Any, Any]:
    """``response=`` of an endpoint: its success schema and every error it may answer."""
    return {status: ok, **ERRORS}


# An optional id in a query string, bounded like a path id.
QueryId = Annotated[int | None, Query(None, ge=1, le=DB_INT_MAX)]


def actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def who(request: HttpRequest) -> access.Who:
    return access.Who(request.user)

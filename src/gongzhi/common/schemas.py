"""Schemas every app's API shares: the error body of every 4xx/5xx answer."""

from __future__ import annotations

from ninja import Field, Schema


class FieldErrorOut(Schema):
    field: str = Field(..., description="出错的字段（文件导入时另有行号、列名）")
    message: str
    row: int | None = None
    column: str | None = None


class ErrorOut(Schema):
    code: str = Field(
        ...,
        description=(
            "invalid 输入有误（422）；bad_text 含空字符（400）；bad_state 状态不允许；not_now 条件未满足；"
            "permission_denied 无权（403）；not_found 不存在或无权查看（404）；"
            "conflict 已被他人更新（409）；unauthenticated 未登录（401）"
        ),
    )
    message: str = Field(..., description="给用户看的中文说明")
    errors: list[FieldErrorOut] | None = Field(None, description="逐字段的错误（422）")


# The answers an endpoint may give besides its success, for ``response=``.
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}

"""Domain errors. Services raise them; views and the API turn them into 4xx answers with
the Chinese message. Field errors carry one message per field (or per row and column for
files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The largest id a database column holds (an id past it is "not found", never a 500).
DB_INT_MAX = 2**63 - 1


class DomainError(Exception):
    """A rule of the domain refused the request. ``message`` is shown to the user."""

    status = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class Conflict(DomainError):
    """Someone else changed the object first; the user should reload and try again."""

    status = 409
    code = "conflict"


@dataclass
class FieldError:
    field: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"“{self.column}”列")
        elif self.field:
            where.append(f"字段 {self.field}")
        prefix = "，".join(where)
        return f"{prefix}：{self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "message": self.message,
            "row": self.row,
            "column": self.column,
        }


@dataclass
class InvalidInput(DomainError):
    """Input failed validation; ``errors`` lists every problem found, not just the first."""

    errors: list[FieldError] = field(default_factory=list)
    summary: str = "输入有误，请按提示修改"

    def __post_init__(self) -> None:
        DomainError.__init__(self, self.summary, code="invalid")
        self.status = 422

    def __str__(self) -> str:
        return self.summary + "\n" + "\n".join(str(e) for e in self.errors)


_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "greater_than": "数值太小",
    "less_than": "数值太大",
    "bool_parsing": "应为是/否",
    "bool_type": "应为是/否",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "time_parsing": "时间格式不正确",
    "list_type": "应为列表",
    "string_type": "应为文本",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "extra_forbidden": "不接受该字段",
}


def pydantic_field_errors(errors: list[Any]) -> list[FieldError]:
    """pydantic's validation errors as field errors with Chinese messages; for a choice
    field the allowed values are named."""
    found = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "form")]
        kind = str(err.get("type", ""))
        if kind in ("enum", "literal_error"):
            expected = (err.get("ctx") or {}).get("expected", "")
            message = (
                f"取值不在允许范围内（可选：{expected}）" if expected else "取值不在允许范围内"
            )
        else:
            message = _PYDANTIC_MESSAGES.get(kind, f"格式不正确（{err.get('msg', kind)}）")
        found.append(FieldError(".".join(loc), message))
    return found

"""Domain errors. Services raise them; views and the API turn them into 4xx answers with
the Chinese message. Field errors carry one message per field (or per row and column for
files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The largest id a database column holds (an id past it is "not found", never a 500).
DB_INT_MAX = 2**63 - 1

INVALID_SUMMARY = gettext_lazy("输入有误，请按提示修改")


class DomainError(Exception):
    """A rule of the domain refused the request. ``message`` is shown to the user."""

    status = 400
    code = "domain_error"

    def __init__(self, message: StrOrPromise, *, code: str | None = None) -> None:
        # A lazy message (a module-level constant) is rendered now, in the request's language.
        self.message = str(message)
        super().__init__(self.message)
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
            where.append(_("第 %(row)s 行") % {"row": self.row})
        if self.column:
            where.append(_("“%(column)s”列") % {"column": self.column})
        elif self.field:
            where.append(_("字段 %(field)s") % {"field": self.field})
        if not where:
            return self.message
        return _("%(where)s：%(message)s") % {"where": _("，").join(where), "message": self.message}

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
    summary: StrOrPromise = INVALID_SUMMARY

    def __post_init__(self) -> None:
        self.summary = str(self.summary)
        DomainError.__init__(self, self.summary, code="invalid")
        self.status = 422

    def __str__(self) -> str:
        return str(self.summary) + "\n" + "\n".join(str(e) for e in self.errors)


_PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("必填"),
    "string_too_short": gettext_lazy("不能为空"),
    "string_too_long": gettext_lazy("太长"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "greater_than_equal": gettext_lazy("数值太小"),
    "less_than_equal": gettext_lazy("数值太大"),
    "greater_than": gettext_lazy("数值太小"),
    "less_than": gettext_lazy("数值太大"),
    "bool_parsing": gettext_lazy("应为是/否"),
    "bool_type": gettext_lazy("应为是/否"),
    "datetime_parsing": gettext_lazy("日期时间格式不正确"),
    "datetime_from_date_parsing": gettext_lazy("日期时间格式不正确"),
    "date_parsing": gettext_lazy("日期格式不正确"),
    "date_from_datetime_parsing": gettext_lazy("日期格式不正确"),
    "time_parsing": gettext_lazy("时间格式不正确"),
    "list_type": gettext_lazy("应为列表"),
    "string_type": gettext_lazy("应为文本"),
    "json_invalid": gettext_lazy("不是有效的 JSON"),
    "model_attributes_type": gettext_lazy("格式不正确"),
    "dict_type": gettext_lazy("格式不正确"),
    "extra_forbidden": gettext_lazy("不接受该字段"),
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
                _("取值不在允许范围内（可选：%(expected)s）") % {"expected": expected}
                if expected
                else _("取值不在允许范围内")
            )
        else:
            known = _PYDANTIC_MESSAGES.get(kind)
            message = (
                str(known)
                if known
                else _("格式不正确（%(detail)s）") % {"detail": err.get("msg", kind)}
            )
        found.append(FieldError(".".join(loc), message))
    return found

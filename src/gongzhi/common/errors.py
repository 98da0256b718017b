"""Domain errors. Services raise them; views and the API turn them into 4xx answers with
the Chinese message. Field errors carry one message per field (or per row and column for
files)."""

from __future__ import annotations

from dataclasses import dataclass, field


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

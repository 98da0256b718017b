"""Action registries: what the doors (pages, JSON API, commands) may offer on an object.

Each app keeps one registry (``<app>/actions.py``): for every action its name, label, the
input it takes (a ninja ``Schema``, i.e. pydantic), the service it calls, its upload
fields, its form template and its success message. Whether an action is offered to a
user now (who and when) is the app's rule module, which both the registry's users and
the services ask, so an action a page shows is exactly the one the API lists as allowed
and the service accepts.

The doors never parse input their own way: pages parse their forms with ``form_input``
and the API validates JSON with the same schema, so a field means the same thing, with
the same default and the same Chinese error, through every door."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.utils.functional import Promise
from ninja import Schema
from pydantic import ValidationError

from gongzhi.common.errors import FieldError, InvalidInput, pydantic_field_errors

T = TypeVar("T")
Files = Mapping[str, list[Any]]


@dataclass(frozen=True)
class Action(Generic[T]):
    """One thing a user may do to an object of type T.

    ``run(obj, actor, data, files)`` calls the app's service with the validated input and
    returns what the service returns; the service checks the actor's right again."""

    name: str
    label: str | Promise
    input: type[Schema]
    run: Callable[[T, Any, Any, Files], Any]
    files: tuple[str, ...] = ()
    # Whether the API takes the files too (a multipart body); an action whose files are
    # optional takes JSON there, and files are added with the app's attach action.
    api_files: bool = True
    template: str = ""
    done: str | Promise | None = None
    # A short line for the API documentation; the label when empty.
    summary: str = ""

    @property
    def path(self) -> str:
        """The action's URL segment: ``rule_transfer`` → ``rule-transfer``."""
        return self.name.replace("_", "-")


class Registry(Generic[T]):
    """The actions of one app, in the order pages show them."""

    def __init__(self, app: str) -> None:
        self.app = app
        self._actions: dict[str, Action[T]] = {}

    def add(self, action: Action[T]) -> Action[T]:
        if action.name in self._actions:
            raise ValueError(f"{self.app}: action {action.name} registered twice")
        self._actions[action.name] = action
        return action

    def get(self, name: str) -> Action[T] | None:
        return self._actions.get(name)

    def names(self) -> list[str]:
        return list(self._actions)

    def __iter__(self) -> Iterator[Action[T]]:
        return iter(self._actions.values())

    def __contains__(self, name: object) -> bool:
        return name in self._actions


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))
    return False


def _is_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(a is bool for a in typing.get_args(annotation))
    return False


def form_input(schema: type[Schema], data: Any) -> Any:
    """Validate a page's POST (a QueryDict) with an action's schema, exactly as the API
    validates JSON: list fields take every value of the field, a ticked checkbox ("on")
    is true, an unticked one takes the field's default, empty optional numbers are
    absent. Raises InvalidInput with one Chinese message per field."""
    values: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        key = field.alias or name
        if _is_list(field.annotation):
            got = [v for v in data.getlist(key) if str(v).strip()]
            if got or key in data:
                values[name] = got
            continue
        if key not in data:
            continue  # the schema's default, or "必填" for a required field
        raw = data.get(key)
        if isinstance(raw, str):
            raw = raw.strip()
            if raw == "" and not field.is_required() and field.annotation is not str:
                continue  # an empty optional number or choice: the default
        if _is_bool(field.annotation) and raw in ("on", "1", "yes", "true"):
            raw = True
        values[name] = raw
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(errors=pydantic_field_errors(exc.errors())) from exc


def errors_by_field(errors: list[FieldError]) -> dict[str, list[str]]:
    """Field errors grouped for a form: field name → messages (``__all__`` for none)."""
    found: dict[str, list[str]] = {}
    for e in errors:
        found.setdefault(e.field or "__all__", []).append(e.message)
    return found

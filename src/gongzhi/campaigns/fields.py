"""The survey form as data: a campaign's ``fields`` is a list of field definitions, each
``{key, label, kind, required, help, choices}`` with ``kind`` one of text, number, choice,
yesno, date. The office writes them as YAML or JSON on the campaign's form page (or the
API); ``read_definitions`` checks them, ``clean_values`` checks one estate's answers the
same way for the page, the API and each row of an .xlsx file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.common.errors import FieldError, InvalidInput

KINDS = {
    "text": gettext_lazy("文本"),
    "number": gettext_lazy("数字"),
    "choice": gettext_lazy("选项"),
    "yesno": gettext_lazy("是/否"),
    "date": gettext_lazy("日期"),
}
TEXT_MAX = 500
MAX_FIELDS = 100
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The fixed columns of the survey file before the form's own (the file's words, read back).
CODE_COLUMN = "小区编码"  # i18n: data (the survey file's column title)
NAME_COLUMN = "小区名称"  # i18n: data (the survey file's column title)
CLASS_COLUMN = "认定类型"  # i18n: data (the survey file's column title)
FIXED_COLUMNS = (CODE_COLUMN, NAME_COLUMN, CLASS_COLUMN)
YES_WORDS = {"是", "yes", "y", "true", "1", "on"}  # i18n: data (accepted answers)
NO_WORDS = {"否", "no", "n", "false", "0", "off"}  # i18n: data (accepted answers)
YES, NO = "是", "否"  # i18n: data (how a yes/no answer is written in files)


@dataclass(frozen=True)
class SurveyField:
    key: str
    label: str
    kind: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "kind": self.kind,
            "required": self.required,
            "help": self.help,
            "choices": list(self.choices),
        }


def parse_text(text: str) -> Any:
    """YAML or JSON text (JSON is YAML) as data; a syntax error is a field error."""
    try:
        return yaml.safe_load(text) if text.strip() else []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("第 %(line)s 行") % {"line": mark.line + 1} if mark else ""
        raise InvalidInput(
            errors=[FieldError("fields", _("无法解析 YAML/JSON %(where)s") % {"where": where})]
        ) from exc


def _one(i: int, raw: Any, errors: list[FieldError]) -> SurveyField | None:
    at = f"fields[{i}]"
    if not isinstance(raw, dict):
        errors.append(FieldError(at, _("第 %(n)s 项应为一个字段定义") % {"n": i + 1}))
        return None
    key = str(raw.get("key") or "").strip()
    label = str(raw.get("label") or "").strip()
    kind = str(raw.get("kind") or "").strip()
    before = len(errors)
    if not KEY_RE.match(key):
        errors.append(
            FieldError(f"{at}.key", _("代号应为小写字母开头的字母、数字或下划线（至多 40 个）"))
        )
    if not label or len(label) > 60:
        errors.append(FieldError(f"{at}.label", _("名称必填，至多 60 字")))
    elif label in FIXED_COLUMNS:
        errors.append(
            FieldError(f"{at}.label", _("名称“%(label)s”为固定列，请换一个") % {"label": label})
        )
    if kind not in KINDS:
        errors.append(
            FieldError(
                f"{at}.kind",
                _("类型应为 %(kinds)s 之一") % {"kinds": ", ".join(KINDS)},
            )
        )
    raw_choices = raw.get("choices") or []
    listed = raw_choices if isinstance(raw_choices, list) else []
    choices = tuple(str(c).strip()[:40] for c in listed if str(c).strip())
    if kind == "choice" and (not isinstance(raw_choices, list) or not choices):
        errors.append(FieldError(f"{at}.choices", _("选项类字段须列出可选项")))
    if len(set(choices)) != len(choices):
        errors.append(FieldError(f"{at}.choices", _("可选项重复")))
    if len(errors) > before:
        return None
    return SurveyField(
        key=key,
        label=label,
        kind=kind,
        required=bool(raw.get("required", False)),
        help=str(raw.get("help") or "").strip()[:200],
        choices=choices if kind == "choice" else (),
    )


def read_definitions(raw: Any, classes: Any) -> tuple[list[SurveyField], list[str]]:
    """The form's fields and the classification choices, every problem at once."""
    errors: list[FieldError] = []
    found: list[SurveyField] = []
    if not isinstance(raw, list) or not raw or len(raw) > MAX_FIELDS:
        errors.append(FieldError("fields", _("应为 1 至 %(n)s 个字段的列表") % {"n": MAX_FIELDS}))
        raw = []
    for i, item in enumerate(raw):
        got = _one(i, item, errors)
        if got is not None:
            found.append(got)
    for attr, what in (("key", _("代号")), ("label", _("名称"))):
        seen: set[str] = set()
        for f in found:
            value = getattr(f, attr)
            if value in seen:
                errors.append(
                    FieldError("fields", _("字段%(what)s“%(v)s”重复") % {"what": what, "v": value})
                )
            seen.add(value)
    names = [str(c).strip() for c in classes] if isinstance(classes, list) else []
    if (
        not names
        or len(names) > MAX_FIELDS
        or any(not n or len(n) > 40 for n in names)
        or len(set(names)) != len(names)
    ):
        errors.append(FieldError("classes", _("认定类型至少一项，每项至多 40 字，不重复")))
    if errors:
        raise InvalidInput(errors=errors)
    return found, names


def definitions(stored: list[dict[str, Any]]) -> list[SurveyField]:
    """A campaign's stored fields (already checked when saved)."""
    return [
        SurveyField(
            key=d["key"],
            label=d["label"],
            kind=d["kind"],
            required=bool(d.get("required")),
            help=d.get("help", ""),
            choices=tuple(d.get("choices") or ()),
        )
        for d in stored
    ]


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_value(f: SurveyField, raw: Any) -> tuple[Any, str | None]:
    """(the stored value, None) or (None, a Chinese message) for one answer."""
    if _blank(raw):
        return None, (_("必填") if f.required else None)
    if f.kind == "yesno":
        if isinstance(raw, bool):
            return raw, None
        word = str(raw).strip().lower()
        if word in YES_WORDS or word in NO_WORDS:
            return word in YES_WORDS, None
        return None, _("应为“是”或“否”")
    if f.kind == "number":
        if isinstance(raw, bool):
            return None, _("应为数字")
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            return None, _("应为数字")
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            return None, _("应为数字")
        if number == number.to_integral():
            return str(int(number)), None
        return format(number.normalize(), "f"), None
    if f.kind == "date":
        if isinstance(raw, dt.datetime):
            return raw.date().isoformat(), None
        if isinstance(raw, dt.date):
            return raw.isoformat(), None
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat(), None
        except ValueError:
            return None, _("日期格式应为 2026-01-31")
    text = str(raw).strip()
    if f.kind == "choice":
        if text not in f.choices:
            return None, _("应为以下之一：%(choices)s") % {"choices": _("、").join(f.choices)}
        return text, None
    if len(text) > TEXT_MAX:
        return None, _("太长（至多 %(n)s 字）") % {"n": TEXT_MAX}
    return text, None


def clean_values(
    fields: list[SurveyField],
    raw: dict[str, Any],
    *,
    row: int | None = None,
    columns: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """One estate's answers by the form; the errors name the field (and, for a file, the
    row and the column)."""
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for f in fields:
        value, problem = clean_value(f, raw.get(f.key))
        if problem:
            column = (columns or {}).get(f.key)
            message = (
                problem if column else _("%(label)s：%(p)s") % {"label": f.label, "p": problem}
            )
            errors.append(FieldError(f"values.{f.key}", message, row=row, column=column))
        elif value is not None:
            clean[f.key] = value
    unknown = sorted(set(raw) - {f.key for f in fields})
    errors.extend(FieldError(f"values.{k}", _("摸排表没有该项"), row=row) for k in unknown)
    return clean, errors


def clean_class(classes: list[str], raw: Any) -> str | None:
    text = "" if raw is None else str(raw).strip()
    return text if text in classes else None


def shown(f: SurveyField, value: Any) -> Any:
    """An answer as a page or a file shows it."""
    if value is None:
        return ""
    if f.kind == "yesno":
        return YES if value else NO
    if f.kind == "number":
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    return value

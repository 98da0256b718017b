"""Repeats (issue 13, 5): the same estate and matter, or nearly the same words, several
times within a window. The dispatch desk shows each waiting case's group so the office can
handle them together and raise them as one topic for the estate's conference.

A case's matter is its own, or for a case still waiting, the classifier's suggestion when
it does not abstain. Near-duplicate text: the share of shared character pairs (Jaccard of
bigrams after normalisation) at least ``GONGZHI_REPEAT_SIMILARITY``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from gongzhi.cases.access import readable_cases
from gongzhi.cases.models import Case
from gongzhi.catalog.normalise import normalise


@dataclass
class RepeatGroup:
    estate_id: int
    matter: str  # matter code, or "" for a group found by its words
    cases: list[Case] = field(default_factory=list)

    @property
    def numbers(self) -> list[str]:
        return [c.number for c in self.cases]


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _bigrams(text: str) -> set[str]:
    plain = normalise(text).replace(" ", "")
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def similar(a: str, b: str) -> float:
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def repeat_groups(
    user: Any, waiting: list[Case], suggested: dict[int, str], now: dt.datetime
) -> dict[int, RepeatGroup]:
    """For each waiting case with repeats, its group (the case included), from the cases
    ``user`` may read at the same estates within the window."""
    least = int(_setting("GONGZHI_REPEAT_MIN", 3))
    window = dt.timedelta(days=_setting("GONGZHI_REPEAT_WINDOW_DAYS", 30))
    threshold = _setting("GONGZHI_REPEAT_SIMILARITY", 0.5)
    if not waiting:
        return {}
    recent = list(
        readable_cases(user)
        .filter(estate_id__in={c.estate_id for c in waiting}, created_at__gte=now - window)
        .select_related("matter")
        .order_by("created_at")
    )

    def code(case: Case) -> str:
        if case.matter is not None:
            return case.matter.code
        return suggested.get(case.pk, "")

    by_matter: dict[tuple[int, str], list[Case]] = {}
    for case in recent:
        if code(case):
            by_matter.setdefault((case.estate_id, code(case)), []).append(case)
    found: dict[int, RepeatGroup] = {}
    for case in waiting:
        key = (case.estate_id, code(case))
        group = by_matter.get(key, []) if key[1] else []
        if len(group) >= least:
            found[case.pk] = RepeatGroup(case.estate_id, key[1], group)
            continue
        text = f"{case.title} {case.description}"
        alike = [
            other
            for other in recent
            if other.estate_id == case.estate_id
            and (
                other.pk == case.pk
                or similar(text, f"{other.title} {other.description}") >= threshold
            )
        ]
        if len(alike) >= least:
            found[case.pk] = RepeatGroup(case.estate_id, "", alike)
    return found

"""Proposing a matter type from a complaint's free text. Routing never depends on this:
a proposal is shown to the dispatcher, who confirms it. Plug a better classifier in by
setting ``GONGZHI_CLASSIFIER`` to a dotted path of a ``Classifier``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gongzhi.catalog.selectors import effective_catalog
from gongzhi.org.models import Jurisdiction


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float
    matched: tuple[str, ...]


class Classifier(Protocol):
    def suggest(
        self, text: str, jurisdiction: Jurisdiction, limit: int = 5
    ) -> list[Suggestion]: ...


class KeywordClassifier:
    """Scores each matter by the catalog keywords and phrasings found in the text."""

    def suggest(self, text: str, jurisdiction: Jurisdiction, limit: int = 5) -> list[Suggestion]:
        text = text.strip()
        if not text:
            return []
        found: list[Suggestion] = []
        for code, entry in effective_catalog(jurisdiction).items():
            matter = entry.matter
            hits = [k for k in matter.keywords if k and k in text]
            score = float(len(hits))
            if matter.name in text:
                score += 2
                hits.append(matter.name)
            for phrase in matter.phrasings:
                if phrase and phrase in text:
                    score += 3
                    hits.append(phrase)
            if score:
                found.append(Suggestion(code, matter.name, score, tuple(hits)))
        found.sort(key=lambda s: (-s.score, s.code))
        return found[:limit]


def get_classifier() -> Classifier:
    path = getattr(settings, "GONGZHI_CLASSIFIER", "")
    if path:
        return import_string(path)()  # type: ignore[no-any-return]
    return KeywordClassifier()

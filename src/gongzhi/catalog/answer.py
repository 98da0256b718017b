"""The routing answer for a message: the classifier's matters, each routed to its unit at
the estate (routing.route_cached), with confidence, alternatives and explanation. The API
(``POST /api/catalog/classify``), the dispatch desk and the benchmark all ask this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gongzhi.catalog.classify import Ranking, by_unit, min_confidence, rank
from gongzhi.catalog.routing import route_cached
from gongzhi.catalog.selectors import catalog_version
from gongzhi.common.errors import DomainError
from gongzhi.org.models import Estate, Unit


@dataclass
class Candidate:
    code: str
    name: str
    confidence: float
    unit: Unit | None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "confidence": round(self.confidence, 4),
            "unit": (
                {"code": self.unit.code, "name": self.unit.name} if self.unit is not None else None
            ),
        }


@dataclass
class Answer:
    matter: Candidate | None  # None: the classifier abstains, the case waits on the desk
    alternatives: list[Candidate]
    confidence: float
    threshold: float
    # Worked out when first read (classify.Deferred): the desk and the API show them.
    words: Sequence[str] = field(default_factory=list)
    phrases: Sequence[str] = field(default_factory=list)
    reason: str = ""
    # The probability that the matter's unit is right (``classify.by_unit``): at least
    # ``confidence``, more when other ranked matters go to the same unit.
    unit_confidence: float | None = None

    @property
    def abstained(self) -> bool:
        return self.matter is None

    @property
    def explanation(self) -> str:
        parts = []
        if self.phrases:
            parts.append(_("清单说法：%(phrases)s") % {"phrases": "、".join(self.phrases[:4])})
        if self.words:
            parts.append(_("关键用语：%(words)s") % {"words": "、".join(self.words)})
        if self.reason:
            parts.append(self.reason)
        return "；".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "matter": self.matter.as_dict() if self.matter else None,
            "abstained": self.abstained,
            "confidence": round(self.confidence, 4),
            "unit_confidence": (
                round(self.unit_confidence, 4) if self.unit_confidence is not None else None
            ),
            "threshold": self.threshold,
            "alternatives": [c.as_dict() for c in self.alternatives],
            "explanation": {
                "words": list(self.words),
                "phrases": list(self.phrases),
                "reason": self.reason,
                "text": self.explanation,
            },
        }


def _unit(estate: Estate, code: str, version: int | None = None) -> Unit | None:
    try:
        return route_cached(estate=estate, matter_code=code, version=version).lead
    except DomainError:
        return None


def answer_from(estate: Estate, ranking: Ranking) -> Answer:
    """The ranking's matters routed at the estate, and the abstention decided on their
    units (``classify.by_unit``): a message that is surely 住建局's answers even when
    which of 住建局's duties is less sure."""
    ranking, candidates = _decided(estate, ranking)
    chosen = None if ranking.abstained or not candidates else candidates[0]
    return Answer(
        matter=chosen,
        alternatives=candidates[1:] if chosen else candidates,
        confidence=ranking.confidence,
        threshold=min_confidence(),
        words=ranking.words,
        phrases=ranking.phrases,
        reason=ranking.reason,
        unit_confidence=ranking.unit_confidence,
    )


def _decided(estate: Estate, ranking: Ranking) -> tuple[Ranking, list[Candidate]]:
    version = catalog_version() if ranking.suggestions else None  # one read for all
    candidates = [
        Candidate(s.code, s.name, s.score, _unit(estate, s.code, version))
        for s in ranking.suggestions
    ]
    # Matters of one unit share its key; a matter that routes to no unit is alone.
    keys = [c.unit.pk if c.unit is not None else ("matter", c.code) for c in candidates]
    return by_unit(ranking, keys), candidates


def rank_at(*, estate: Estate, title: str = "", body: str = "", limit: int = 3) -> Ranking:
    """The classifier's ranking decided on the units at the estate, for the doors that
    show a ranking rather than an answer (the dispatch desk, bulk dispatch)."""
    ranking = rank(title=title, body=body, jurisdiction=estate.community, limit=limit)
    return _decided(estate, ranking)[0]


def classify_message(*, estate: Estate, title: str = "", body: str = "", limit: int = 3) -> Answer:
    ranking = rank(title=title, body=body, jurisdiction=estate.community, limit=limit)
    return answer_from(estate, ranking)

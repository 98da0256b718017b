"""Proposing a matter type from a complaint's free text. Routing never depends on this:
a proposal is shown to the dispatcher, who confirms it, and below a configurable
confidence the classifier abstains (docs/routing.md). Plug another classifier in by
setting ``GONGZHI_CLASSIFIER`` to a dotted path of a ``Classifier``."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, overload

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gongzhi.catalog import learned
from gongzhi.catalog.normalise import canonical, normalise
from gongzhi.catalog.selectors import EffectiveEntry, effective_catalog
from gongzhi.org.models import Jurisdiction

MODEL_CACHE_SECONDS = 7 * 24 * 3600
# Part of the shared cache's key for a model trained from the catalog: raised whenever
# training changes (2: duties weighted equally, learned.class_weights), so processes of a
# new release do not pick up a model the former release trained and cached.
RECIPE = 2


class Deferred(Sequence[str]):
    """Words worked out on first use. The explanation of a learned answer (sorting the
    message's n-gram contributions, finding the catalog's phrases in the text) costs about
    a tenth of the classification, and most answers are never explained to anyone (the
    report form's hint, bulk dispatch, the benchmark); the desk and the API read it, and
    then get exactly what an eager computation would have given."""

    __slots__ = ("_items", "_make")

    def __init__(self, make: Callable[[], Sequence[str]]) -> None:
        self._make: Callable[[], Sequence[str]] | None = make
        self._items: list[str] | None = None

    def _all(self) -> list[str]:
        if self._items is None:
            assert self._make is not None
            self._items = list(self._make())
            self._make = None
        return self._items

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, tuple, Deferred)):
            return self._all() == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._all()))

    def __repr__(self) -> str:
        return repr(self._all())


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float
    matched: Sequence[str]


@dataclass
class Ranking:
    """A classifier's answer for one text: the matters in order of confidence, the
    words and catalog phrases that decided the first, and whether it abstains."""

    suggestions: list[Suggestion]
    words: Sequence[str] = field(default_factory=list)
    phrases: Sequence[str] = field(default_factory=list)
    abstained: bool = True
    reason: str = ""
    # An abstention no unit can lift: the text is out of scope or has no catalog word.
    final: bool = False
    # With units (``by_unit``): the probability that the first matter's unit is right,
    # the sum over the ranked matters that unit leads.
    unit_confidence: float | None = None

    @property
    def confidence(self) -> float:
        return self.suggestions[0].score if self.suggestions else 0.0


class Classifier(Protocol):
    def suggest(
        self, text: str, jurisdiction: Jurisdiction, limit: int = 5
    ) -> list[Suggestion]: ...


def min_confidence() -> float:
    return float(settings.GONGZHI_CLASSIFY_MIN_CONFIDENCE)


def min_margin() -> float:
    return float(settings.GONGZHI_CLASSIFY_MIN_MARGIN)


class KeywordClassifier:
    """Scores each matter by the catalog keywords and phrasings found in the text, after
    the same normalisation as the learned classifier (synonyms, no duty-less words). Ties
    are left to the reader: equal scores abstain, they are never broken by code order."""

    def rank(self, *, title: str, body: str, jurisdiction: Jurisdiction, limit: int = 5) -> Ranking:
        text = normalise(f"{title} {title} {body}")
        if not text:
            return Ranking([], reason=_("没有可识别的文字"), final=True)
        found: list[Suggestion] = []
        for code, entry in effective_catalog(jurisdiction).items():
            score = 0.0
            hits: list[str] = []
            for matter in [entry.matter, *entry.absorbed]:
                if any(canonical(w) in text for w in matter.exclusions):
                    score = 0.0
                    break
                for word, weight in (
                    *((k, 1.0) for k in matter.keywords),
                    (matter.name, 2.0),
                    *((p, 3.0) for p in matter.phrasings),
                ):
                    plain = normalise(str(word))
                    if plain and plain in text and plain not in hits:
                        score += weight * text.count(plain)
                        hits.append(plain)
            if score:
                found.append(Suggestion(code, entry.matter.name, score, tuple(hits)))
        found.sort(key=lambda s: -s.score)
        total = sum(s.score for s in found) or 1.0
        shares = [Suggestion(s.code, s.name, s.score / total, s.matched) for s in found]
        return _decide(shares[:limit], shares[0].matched if shares else (), ())

    def suggest(self, text: str, jurisdiction: Jurisdiction, limit: int = 5) -> list[Suggestion]:
        return self.rank(title="", body=text, jurisdiction=jurisdiction, limit=limit).suggestions


def _decide(
    suggestions: list[Suggestion],
    words: Sequence[str],
    phrases: Sequence[str],
    units: Sequence[object] | None = None,
) -> Ranking:
    """Abstain below the minimum confidence or when the first two are within the margin.
    With ``units`` (the unit each suggestion routes to at the estate), what is tested is
    the unit, not the matter: the first matter's unit collects the probability of every
    ranked matter it leads, and the margin is to the best other unit. Two matters of one
    unit (住建局's warranty and its hand-over, the police's dogs and its noise) are then
    not a tie: either way the case reaches the same desk."""
    ranking = Ranking(suggestions, words=words, phrases=phrases, abstained=True)
    if not suggestions:
        ranking.reason = _("文字中没有职责清单里的用语")
        return ranking
    first = suggestions[0].score
    second = suggestions[1].score if len(suggestions) > 1 else 0.0
    rival = suggestions[1].name if len(suggestions) > 1 else ""
    if units is not None:
        mass: dict[object, float] = {}
        for suggestion, unit in zip(suggestions, units, strict=True):
            mass[unit] = mass.get(unit, 0.0) + suggestion.score
        first = ranking.unit_confidence = mass.pop(units[0])
        second = max(mass.values(), default=0.0)
        rival = next((s.name for s, u in zip(suggestions, units, strict=True) if u != units[0]), "")
    if first < min_confidence():
        ranking.reason = _("把握不足（%(score)s，低于 %(threshold)s）") % {
            "score": f"{first:.0%}",
            "threshold": f"{min_confidence():.0%}",
        }
    elif first - second < min_margin():
        ranking.reason = _("%(first)s与%(second)s难分高下，请人工判断") % {
            "first": suggestions[0].name,
            "second": rival,
        }
    else:
        ranking.abstained = False
    return ranking


def by_unit(ranking: Ranking, units: Sequence[object]) -> Ranking:
    """The ranking decided again on the units its matters route to (``_decide``), unless
    its abstention is final (out of scope, no catalog word)."""
    if ranking.final or not ranking.suggestions:
        return ranking
    return _decide(ranking.suggestions, ranking.words, ranking.phrases, units)


_models: dict[str, learned.Model] = {}
_by_entries: dict[tuple[int, str], tuple[dict[str, EffectiveEntry], str]] = {}
_lock = threading.Lock()


def model_for(jurisdiction: Jurisdiction) -> learned.Model | None:
    """The model of the jurisdiction's effective catalog: this process's copy, else the
    shared cache's (every web and worker process uses the same one), else trained now
    and shared."""
    entries = effective_catalog(jurisdiction)
    key = (jurisdiction.pk, jurisdiction.path)
    known = _by_entries.get(key)
    if known is not None and known[0] is entries:
        signature = known[1]
    else:
        signature = learned.signature(entries)
        version = _active_version(jurisdiction, signature)
        if version is not None:
            signature = f"{signature}:v{version[0]}"
            if signature not in _models:
                with _lock:
                    _models[signature] = pickle.loads(version[1])
        with _lock:
            _by_entries[key] = (entries, signature)
    model = _models.get(signature)
    if model is not None:
        return model
    cache_key = f"gongzhi:classifier:{RECIPE}:{signature}"
    model = cache.get(cache_key)
    if model is None:
        model = learned.train(entries)
        if model is None:
            return None
        cache.set(cache_key, model, timeout=MODEL_CACHE_SECONDS)
    with _lock:
        _models[signature] = model
    return model


def _active_version(jurisdiction: Jurisdiction, signature: str) -> tuple[int, bytes] | None:
    """The active trained version (``gongzhi router train``) of the nearest jurisdiction
    that has one, if it was trained on this very catalog."""
    from gongzhi.catalog.models import ModelVersion

    codes = jurisdiction.ancestor_codes()
    found = {
        v.jurisdiction.code: v
        for v in ModelVersion.objects.filter(
            jurisdiction__code__in=codes, active=True, catalog_signature=signature
        ).select_related("jurisdiction")
    }
    for code in reversed(codes):
        if code in found:
            return found[code].pk, bytes(found[code].blob)
    return None


class LearnedClassifier:
    """Character n-grams and a linear model trained from the catalog (catalog/learned.py),
    with calibrated confidence, explanation and abstention."""

    def rank(self, *, title: str, body: str, jurisdiction: Jurisdiction, limit: int = 5) -> Ranking:
        model = model_for(jurisdiction)
        if model is None:
            return KeywordClassifier().rank(
                title=title, body=body, jurisdiction=jurisdiction, limit=limit
            )
        title, body = canonical(title), canonical(body)
        plain = f"{title} {body}"
        indices, values = model.vector(title, body)
        probs = model.probabilities(indices, values, plain)
        if probs is None:
            return _decide([], (), ())
        order = np.argsort(-probs, kind="stable")[: limit + 2].tolist()
        top = order[0]
        if model.classes[top] == learned.OUT_OF_SCOPE:
            ranking = Ranking(
                [
                    Suggestion(model.classes[i], model.names[model.classes[i]], float(probs[i]), ())
                    for i in order[1 : limit + 1]
                    if model.classes[i] != learned.OUT_OF_SCOPE
                ],
                reason=_("看起来不是住宅小区职责清单里的事项"),
                final=True,
            )
            ranking.words = Deferred(lambda: model.deciding(indices, values, top))
            return ranking
        words = Deferred(lambda: model.deciding(indices, values, top))
        phrases = Deferred(
            lambda: [p for p in model.phrases.get(model.classes[top], []) if p in plain]
        )
        suggestions = [
            Suggestion(model.classes[i], model.names[model.classes[i]], float(probs[i]), words)
            for i in order[: limit + 1]
            if model.classes[i] != learned.OUT_OF_SCOPE
        ][:limit]
        return _decide(suggestions, words, phrases)

    def suggest(self, text: str, jurisdiction: Jurisdiction, limit: int = 5) -> list[Suggestion]:
        return self.rank(title="", body=text, jurisdiction=jurisdiction, limit=limit).suggestions


def get_classifier() -> LearnedClassifier | KeywordClassifier | Classifier:
    path = settings.GONGZHI_CLASSIFIER
    if path:
        return import_string(path)()  # type: ignore[no-any-return]
    return LearnedClassifier()


def rank(*, title: str, body: str, jurisdiction: Jurisdiction, limit: int = 5) -> Ranking:
    """The configured classifier's ranking; one that only suggests is wrapped."""
    classifier = get_classifier()
    if isinstance(classifier, (LearnedClassifier, KeywordClassifier)):
        return classifier.rank(title=title, body=body, jurisdiction=jurisdiction, limit=limit)
    suggestions = classifier.suggest(f"{title} {body}", jurisdiction, limit)
    return _decide(suggestions, suggestions[0].matched if suggestions else (), ())

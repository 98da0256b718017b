"""Putting a message's text into one form before it is classified: full-width to
half-width (NFKC), traditional to simplified characters (OpenCC), lower case, synonyms to
one canonical word, words that carry no duty removed, every number to ``0``. The catalog's
own names and phrasings go through the same function, so both sides meet.

The word lists are data (``data/classifier.yaml``), read once per process."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "classifier.yaml"

_SPACE = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Lexicon:
    synonyms: dict[str, str]  # variant → canonical
    discounted: tuple[str, ...]
    out_of_scope: tuple[str, ...]
    synonym_re: re.Pattern[str] | None
    discount_re: re.Pattern[str] | None


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    words = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def build_lexicon(data: dict[str, Any]) -> Lexicon:
    synonyms: dict[str, str] = {}
    for canonical, variants in (data.get("synonyms") or {}).items():
        for variant in variants or []:
            synonyms[_plain(str(variant))] = _plain(str(canonical))
    discounted = tuple(_plain(str(w)) for w in data.get("discounted") or [])
    return Lexicon(
        synonyms=synonyms,
        discounted=discounted,
        out_of_scope=tuple(str(s) for s in data.get("out_of_scope") or []),
        synonym_re=_alternation(list(synonyms)),
        discount_re=_alternation(list(discounted)),
    )


@functools.cache
def lexicon() -> Lexicon:
    import yaml

    return build_lexicon(yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) or {})


@functools.cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _plain(text: str) -> str:
    """Width, script and case only."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _converter().convert(text)
    return text.lower()


def canonical(text: str, lex: Lexicon | None = None) -> str:
    """Width, script, case and synonyms, keeping every word (used to find a catalog
    phrase in a message for the explanation)."""
    lex = lex or lexicon()
    text = _plain(text)
    if lex.synonym_re is not None:
        text = lex.synonym_re.sub(lambda m: lex.synonyms[m.group(0)], text)
    return text


def normalise(text: str, lex: Lexicon | None = None) -> str:
    """The form the classifier reads: ``canonical`` without the words that carry no duty,
    numbers as ``0`` and punctuation as single spaces."""
    lex = lex or lexicon()
    return reduce(canonical(text, lex), lex)


def reduce(plain: str, lex: Lexicon | None = None) -> str:
    """``normalise`` of a text already ``canonical``."""
    lex = lex or lexicon()
    text = plain
    if lex.discount_re is not None:
        text = lex.discount_re.sub(" ", text)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()

"""How well a record's text matches what was typed: exact, prefix, or one or two typos."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from halyard.search.normalise import is_cjk, phone_digits, words


def allowed_typos(word: str) -> int:
    """Return how many wrong letters a typed word may have and still match."""
    if len(word) < 4 or is_cjk(word):
        return 0
    return 1 if len(word) < 7 else 2


def word_score(typed: str, candidates: list[str]) -> float:
    """Score one typed word against a record's words (1 = a word starts with it)."""
    best = 0.0
    budget = allowed_typos(typed)
    for word in candidates:
        if word.startswith(typed):
            return 1.0
        if budget:
            # Swapped letters count once (OSA); compare with the word's beginning too: people
            # search as they type.
            distance = min(
                OSA.distance(typed, word, score_cutoff=budget),
                OSA.distance(typed, word[: len(typed)], score_cutoff=budget),
            )
            if distance <= budget:
                best = max(best, 0.9 - 0.2 * distance)
    return best


def score(q: str, text: str) -> float:
    """Score normalised text against a normalised query; 0 means it does not match."""
    if not q:
        return 0.0
    if q in text:
        return 2.0 if text.startswith(q) or f" {q}" in text else 1.5
    digits = phone_digits(q)
    if digits:
        return 1.5 if digits in text else 0.0
    typed = words(q)
    if not typed:
        return 0.0
    candidates = words(text)
    total = 0.0
    for word in typed:
        if is_cjk(word):
            if word not in text:
                return 0.0
            total += 1.0
            continue
        part = word_score(word, candidates)
        if part == 0.0:
            return 0.0
        total += part
    return total / len(typed)


@lru_cache(maxsize=256)
def _plan(q: str) -> tuple[tuple[str, bool], ...]:
    """Return each typed word and whether it must occur exactly (short or CJK words)."""
    return tuple((word, len(word) < 4 or is_cjk(word)) for word in words(q))


def could_match(q: str, text: str) -> bool:
    """Cheaply rule out most texts before scoring: each typed word must nearly occur in it.

    A word within the allowed typos of part of the text keeps a partial (best-aligned)
    similarity of at least 65 — a necessary condition, computed in C by rapidfuzz.
    """
    for word, exact in _plan(q):
        if exact:
            if word not in text:
                return False
        elif not fuzz.partial_ratio(word, text, score_cutoff=65):
            return False
    return True


def matches(q: str, text: str) -> bool:
    return could_match(q, text) and score(q, text) > 0

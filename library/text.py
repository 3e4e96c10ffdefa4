"""Folding of catalogue text for the search of databases without full-text search."""

import re

from portal.normalize import strip_accents

NOT_WORD = re.compile(r"[^0-9a-z]+")


def folded(text: str) -> str:
    """Lower case, without accents nor punctuation: "L'Électricité !" → "l electricite"."""
    return NOT_WORD.sub(" ", strip_accents(text).casefold()).strip()


def words(query: str) -> list[str]:
    return folded(query).split()

"""Normalisation of what people type, so that "Éric  Tremblay" and "eric tremblay" match."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent: "Lebœuf" must still
# match "Leboeuf", as people type it on keyboards without "œ".
LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
)
# Phones and word processors turn ' into ’ and - into –: the same answer typed on a phone and on
# a computer must match.
PUNCTUATION = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "´": "'",
        "`": "'",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "−": "-",
    }
)


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize_answer(value: str) -> str:
    """Case, accents and spaces do not count in a secret answer."""
    value = strip_accents((value or "").translate(PUNCTUATION))
    # Invisible characters (zero-width space, soft hyphen) come along with copy and paste.
    value = "".join(char for char in value if unicodedata.category(char) != "Cf")
    return re.sub(r"\s+", " ", value.casefold()).strip()


def normalize_identifier(value: str) -> str:
    return re.sub(r"\s+", "", value or "")


def normalize_postal_code(value: str) -> str:
    return re.sub(r"[\s-]+", "", value or "").upper()


def normalize_name(value: str) -> str:
    """Names compared loosely: accents, case, hyphens, apostrophes and spaces ignored."""
    return re.sub(r"[^a-z]", "", strip_accents(value or "").casefold())

"""Verification codes: unguessable (80 random bits) and easy to type from paper.

Crockford's base 32 alphabet: digits and capitals without I, L, O and U, so that a code read
aloud or typed from a printout cannot be mistaken; typed input is forgiving (lower case,
spaces, dashes, O for 0, I or L for 1), as Crockford's rules say.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16  # 16 × 5 bits = 80 bits
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalize(typed: str) -> str:
    """The stored form of a typed code, or "" when it cannot be one."""
    code = "".join(ch for ch in typed.upper() if ch not in " -\t").translate(_TYPOS)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return ""
    return code


def code_display(code: str) -> str:
    """XXXX-XXXX-XXXX-XXXX, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

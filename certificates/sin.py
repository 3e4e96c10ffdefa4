"""The social insurance number (NAS): validated with python-stdnum (Canadian SIN, Luhn),
encrypted at rest with Fernet keys from PORTAL_FIELD_KEYS (MultiFernet: the first key
encrypts, every key decrypts, so keys rotate), shown masked (*** *** 123).

The clear number lives only in memory while it is validated, encrypted or shown to staff who
may reveal it; it is never logged, emailed, cached or exported.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from stdnum.ca import sin as stdnum_sin
from stdnum.exceptions import ValidationError as StdnumError


class SinError(Exception):
    """The number cannot be stored; the message is for the person."""


class SinKeyMissing(SinError):
    pass


def _fernet() -> MultiFernet:
    keys = settings.PORTAL_FIELD_KEYS
    if not keys:
        raise SinKeyMissing
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:  # a key that is not 32 url-safe base64-encoded bytes
        raise SinKeyMissing from error


def keys_configured() -> bool:
    try:
        _fernet()
    except SinKeyMissing:
        return False
    return True


def sin_clean(typed: str) -> str:
    """The 9 digits of a valid SIN, or SinError."""
    try:
        return stdnum_sin.validate(typed)
    except StdnumError as error:
        raise SinError from error


def sin_encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def sin_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SinKeyMissing from error


def sin_rotate(token: str) -> str:
    """The same number under the first key."""
    return _fernet().rotate(token.encode()).decode()


def sin_mask(last3: str) -> str:
    return f"*** *** {last3}" if last3 else ""


def sin_format(number: str) -> str:
    """123 456 789, as on the card."""
    return f"{number[:3]} {number[3:6]} {number[6:]}"

"""Messages the account pages of every audience share (students' and parents' alike), kept out
of the views so that another app's pages can show them without importing accounts' views."""

from django.utils.translation import ngettext

from accounts.services.common import THROTTLE
from portal.throttle import Locked, lockout_minutes


def locked_message(locked: Locked, *, by_email: bool = False) -> str:
    """The lockout in force: for the identifier typed (a number, or a parent's email), or for
    the client's address. It depends only on the attempts, never on whether an account exists."""
    minutes = lockout_minutes(THROTTLE, locked)
    if locked == Locked.IP:
        return ngettext(
            "Trop de tentatives infructueuses depuis votre adresse. Réessayez dans %(n)d minute.",
            "Trop de tentatives infructueuses depuis votre adresse. Réessayez dans %(n)d minutes.",
            minutes,
        ) % {"n": minutes}
    if by_email:
        return ngettext(
            "Trop de tentatives infructueuses pour ce courriel. Pour votre sécurité, il est "
            "bloqué pendant %(n)d minute.",
            "Trop de tentatives infructueuses pour ce courriel. Pour votre sécurité, il est "
            "bloqué pendant %(n)d minutes.",
            minutes,
        ) % {"n": minutes}
    return ngettext(
        "Trop de tentatives infructueuses pour ce numéro. Pour votre sécurité, il est bloqué "
        "pendant %(n)d minute.",
        "Trop de tentatives infructueuses pour ce numéro. Pour votre sécurité, il est bloqué "
        "pendant %(n)d minutes.",
        minutes,
    ) % {"n": minutes}

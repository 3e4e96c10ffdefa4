"""What the account pages share."""

from django.utils.translation import ngettext

from accounts.services.common import THROTTLE
from portal.throttle import Locked, lockout_minutes


def locked_message(locked: Locked) -> str:
    minutes = lockout_minutes(THROTTLE, locked)
    if locked == Locked.IP:
        return ngettext(
            "Trop de tentatives infructueuses depuis votre adresse. Réessayez dans %(n)d minute.",
            "Trop de tentatives infructueuses depuis votre adresse. Réessayez dans %(n)d minutes.",
            minutes,
        ) % {"n": minutes}
    return ngettext(
        "Trop de tentatives infructueuses pour ce numéro. Pour votre sécurité, il est bloqué "
        "pendant %(n)d minute.",
        "Trop de tentatives infructueuses pour ce numéro. Pour votre sécurité, il est bloqué "
        "pendant %(n)d minutes.",
        minutes,
    ) % {"n": minutes}

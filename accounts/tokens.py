"""Single-use links, after Django's password-reset tokens: an HMAC over the user's id, password
hash, last login and a timestamp. A token dies when it is used (the password changes) or when
its own lifetime passes."""

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int


class TimedTokenGenerator(PasswordResetTokenGenerator):
    timeout = 60 * 60

    def __init__(self, *, key_salt: str, timeout: int) -> None:
        super().__init__()
        self.key_salt = key_salt
        self.timeout = timeout

    def check_token(self, user: Any, token: str | None) -> bool:
        if not super().check_token(user, token):
            return False
        ts = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - ts <= self.timeout


# "Oublié votre mot de passe ?": one hour.
recovery_token = TimedTokenGenerator(key_salt="portail.accounts.recovery", timeout=60 * 60)
# An employee's first use: 24 hours.
activation_token = TimedTokenGenerator(key_salt="portail.accounts.activation", timeout=24 * 60 * 60)

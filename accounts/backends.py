from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User


class AudienceBackend(ModelBackend):
    """Logs a student, employee or parent in with their audience's identifier.

    For an unknown identifier the password hasher still runs once, so that the answer's
    timing does not tell whether the account exists.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        audience: str | None = None,
        identifier: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if audience is None or identifier is None or password is None:
            return None
        try:
            user = User.objects.get(audience=audience, identifier=identifier)
        except User.DoesNotExist:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

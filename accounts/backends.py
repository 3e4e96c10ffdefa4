from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User
from accounts.session_store import take_session_user
from portal.prepared import prepared


class AudienceBackend(ModelBackend):
    """Logs a student, employee or parent in with their audience's identifier.

    For an unknown identifier the password hasher still runs once, so that the answer's
    timing does not tell whether the account exists.
    """

    def get_user(self, user_id: Any) -> User | None:
        """The session's user, as ModelBackend reads it: the one this request's session row
        was read with (accounts.session_store), or else read in SQL compiled once per process
        (portal/prepared.py)."""
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            return super().get_user(user_id)
        user = take_session_user(user_id)
        if user is None:
            rows = prepared(
                "auth-user",
                lambda values: User._default_manager.filter(pk=values["user"])[:1],
                {"user": user_id},
            )
            if not rows:
                return None
            user = rows[0]
        return user if self.user_can_authenticate(user) else None

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

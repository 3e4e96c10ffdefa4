"""Database sessions (accounts.UserSession) with their owner, address and device on the row.

Two savings on Django's database store, which matter on every login: a new key is not looked
up before use (32 random characters; the INSERT itself catches the impossible collision), and
rotating the key at login writes the new row once, at the end of the request, instead of
inserting it and then updating it.
"""

from contextvars import ContextVar
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.signals import request_started
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import get_random_string

from portal.prepared import prepared

# The session's user as the session's row read it in this request (LEFT JOIN): the
# authentication backend takes it instead of reading the user again (accounts.backends).
_session_user: ContextVar[tuple[int, Any] | None] = ContextVar("session_user", default=None)


def take_session_user(user_id: int) -> Any:
    """The user read with this request's session row if it is `user_id`, once; or None."""
    found = _session_user.get()
    if found is None or found[0] != user_id:
        return None
    _session_user.set(None)
    return found[1]


@receiver(request_started, dispatch_uid="accounts_forget_session_user")
def _forget_session_user(**kwargs: Any) -> None:
    _session_user.set(None)

# Session keys under which the login records where it came from (never a secret).
IP_KEY = "_portal_ip"
USER_AGENT_KEY = "_portal_user_agent"


class SessionStore(DatabaseSessionStore):
    _create_on_save = False

    @classmethod
    def get_model_class(cls) -> type:
        from accounts.models import UserSession

        return UserSession

    def _get_session_from_db(self) -> Any:
        """The session's row, as Django's store reads it (not expired), with its user (one
        query for both on every logged-in request: the backend takes the user from it), in
        SQL compiled once per process (portal/prepared.py)."""
        _session_user.set(None)
        key = self.session_key
        if not isinstance(key, str):
            return super()._get_session_from_db()
        model = self.model
        rows = prepared(
            ("session-row", model._meta.label),
            lambda values: model.objects.select_related("user").filter(
                session_key=values["key"], expire_date__gt=values["now"]
            )[:1],
            {"key": key, "now": timezone.now()},
        )
        if not rows:
            self._session_key = None
            return None
        row = rows[0]
        if row.user_id is not None:
            _session_user.set((row.user_id, row.user))
        return row

    def _get_new_session_key(self) -> str:
        return get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        session = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        session.user_id = int(user_id) if user_id and str(user_id).isdigit() else None
        session.ip_address = data.get(IP_KEY) or None
        session.user_agent = data.get(USER_AGENT_KEY, "")
        return session

    def cycle_key(self) -> None:
        data = self._session
        old_key = self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._create_on_save = True
        self.modified = True
        if old_key:
            self.delete(old_key)

    def delete(self, session_key: str | None = None) -> None:
        # One DELETE, where Django's store reads the row first.
        key = session_key if session_key is not None else self.session_key
        if key is not None:
            self.model.objects.filter(session_key=key).delete()

    def save(self, must_create: bool = False) -> None:
        if self._create_on_save:
            self._create_on_save = False
            must_create = True
        super().save(must_create=must_create)

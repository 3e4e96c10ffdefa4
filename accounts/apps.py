import time
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def session_describe(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Notes on the new session where it was opened, for "Mes sessions"."""
    from accounts.session_store import IP_KEY, USER_AGENT_KEY
    from portal.http import client_ip, user_agent
    from portal.middleware import IDLE_KEY, SEEN_KEY, STARTED_KEY

    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[IP_KEY] = client_ip(request)
        request.session[USER_AGENT_KEY] = user_agent(request)
        request.session[STARTED_KEY] = now
        request.session[SEEN_KEY] = now
        institution = getattr(request, "institution", None)
        if institution is not None:
            request.session[IDLE_KEY] = institution.session_idle_minutes * 60


def update_last_login(sender: Any, user: Any, **kwargs: Any) -> None:
    """Django's receiver, minus the UPDATE when the login's own save already wrote it."""
    if getattr(user, "last_login_saved", False):
        return
    from django.contrib.auth.models import update_last_login as django_update_last_login

    django_update_last_login(sender, user, **kwargs)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login as django_update_last_login
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(django_update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login, dispatch_uid="portal_update_last_login")
        user_logged_in.connect(session_describe, dispatch_uid="portal_session_describe")

        from accounts import demo  # noqa: F401 - registers the demo's people

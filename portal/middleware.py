import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from portal.models import AuditEvent
from portal.routes import login_route
from portal.selectors import institution_current
from portal.services import audit_record

NUL = "\x00"


def _holds_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info or NUL in request.path:
        return True
    # Headers end up in the audit log (User-Agent) and the session table.
    if any(
        NUL in value
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    ):
        return True
    for data in (request.GET, request.COOKIES):
        if any(NUL in key or NUL in str(value) for key, value in _pairs(data)):
            return True
    if request.method == "POST":
        if any(NUL in key or NUL in value for key, value in _pairs(request.POST)):
            return True
        if any(NUL in key or NUL in (f.name or "") for key, f in _pairs(request.FILES)):
            return True
    return False


def _pairs(data: object) -> list[tuple[str, object]]:
    if hasattr(data, "lists"):
        return [(key, value) for key, values in data.lists() for value in values]
    return list(data.items())


class InputCleaningMiddleware:
    """One rule for every page: a NUL character (`\\x00`, `%00`) in the address, a parameter,
    a form field, a header or a cookie is refused with a 400 before any view runs. PostgreSQL
    cannot store or compare such strings and would answer 500; no genuine input ever holds
    one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)


class InstitutionMiddleware:
    """Puts the institution on the request, loaded at most once and only when used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.institution = SimpleLazyObject(lambda: institution_current(request))
        return self.get_response(request)


class PrivatePagesNoStoreMiddleware:
    """Nothing the portal shows stays in a shared computer's cache: the seeds ask students to
    empty the browser cache by hand after "Quitter"; we make that unnecessary. Every dynamic
    page (behind login, or in the middle of first use) is sent `no-store`; static files are not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


# Session keys (timestamps in seconds) kept by SessionTimeoutMiddleware.
STARTED_KEY = "_portal_started"
SEEN_KEY = "_portal_seen"
IDLE_KEY = "_portal_idle"
# Activity is written to the session at most once a minute, not on every page.
SEEN_WRITE_EVERY = 60


class SessionTimeoutMiddleware:
    """Ends a logged-in session after the institution's idle time (default 30 minutes) and,
    whatever the activity, 12 hours after login (SESSION_COOKIE_AGE). The base layout warns
    two minutes before, with a "Rester connecté" button (static/js/session.js)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = int(time.time())
        idle = session.get(IDLE_KEY) or request.institution.session_idle_minutes * 60
        seen = session.get(SEEN_KEY, now)
        started = session.get(STARTED_KEY, now)
        if now - seen > idle or now - started > settings.SESSION_COOKIE_AGE:
            audit_record(
                kind=AuditEvent.Kind.SESSION_EXPIRED,
                request=request,
                actor=user,
                subject=user,
                details={"reason": "idle" if now - seen > idle else "lifetime"},
            )
            logout(request)
            messages.info(request, _("Votre session a expiré. Veuillez vous connecter de nouveau."))
            # A parent goes back to the parents' login page.
            login_url = reverse(login_route(user.audience))
            return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
        session.setdefault(STARTED_KEY, now)
        session.setdefault(IDLE_KEY, idle)
        if now - session.get(SEEN_KEY, 0) >= SEEN_WRITE_EVERY:
            session[SEEN_KEY] = now
        request.session_idle_seconds = idle
        return self.get_response(request)

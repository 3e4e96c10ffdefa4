from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address. X-Forwarded-For is believed only through as many proxies as
    PORTAL_TRUSTED_PROXIES says, counted from the right, so a client cannot forge it."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104
    proxies = settings.PORTAL_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

# What base.html links to on every page: the same for every request a process serves (the
# static files' names and the URLs depend only on the settings and the script prefix), so
# they are worked out once per process, per script prefix and URLconf, not with six
# `{% static %}` and up to five `{% url %}` per page. A test that changes the static files'
# or the URLs' settings starts again from nothing (setting_changed).
_STATIC = {
    "bootstrap_css": "vendor/bootstrap/bootstrap.min.css",
    "portal_css": "css/portal.css",
    "favicon": "img/favicon.svg",
    "bootstrap_js": "vendor/bootstrap/bootstrap.bundle.min.js",
    "session_js": "js/session.js",
    "forms_js": "js/forms.js",
}
_URLS = {
    "home": "portal:home",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "session_ping": "accounts:session_ping",
    "set_language": "set_language",
}
_shells: dict[tuple[str, Any], dict[str, str]] = {}


def shell_links() -> dict[str, str]:
    """base.html's static files and URLs, each as `{% static %}` or `{% url %}` gives it."""
    key = (get_script_prefix(), get_urlconf())
    links = _shells.get(key)
    if links is None:
        links = {name: static(path) for name, path in _STATIC.items()}
        links.update({name: reverse(view) for name, view in _URLS.items()})
        _shells[key] = links
    return links


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STATIC_URL", "STORAGES", "ROOT_URLCONF", "FORCE_SCRIPT_NAME", "STATIC_ROOT"}:
        _shells.clear()


def portal(request: HttpRequest) -> dict[str, Any]:
    return {"institution": getattr(request, "institution", None), "shell": shell_links()}

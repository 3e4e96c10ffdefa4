from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from portal.home import home_panels
from portal.modules import MODULES
from portal.routes import home_route
from portal.versions import versions_of_request

# The services menu, kept per process for an institution version and a language.
_menus: dict[tuple[str, str], SafeString] = {}


def modules_menu(request: HttpRequest) -> SafeString:
    """ "Mes services": the same for everyone in one language until the institution changes
    (every write to it bumps the "institution" version, see portal/versions.py)."""
    key = (versions_of_request(request)["institution"], get_language())
    menu = _menus.get(key)
    if menu is None:
        # modules_on, not enabled_modules: a module ticked but unusable (Repères without its
        # address) is greyed like a disabled one.
        enabled = request.institution.modules_on
        offered = [module for module in MODULES if module.url_name and module.slug in enabled]
        menu = render_to_string(
            "portal/_home_modules.html",
            {
                "modules": offered,
                "other_modules": [module for module in MODULES if module not in offered],
            },
        )
        if len(_menus) > 64:
            _menus.clear()
        _menus[key] = menu
    return menu


def home(request: HttpRequest) -> HttpResponse:
    """Ma page d'accueil: the person's name, their services, and the apps' panels. A parent's
    home is the parents' portal's own page (one card per child)."""
    route = home_route(request.user.audience)
    if route != "portal:home":
        return redirect(route)
    return render(
        request,
        "portal/home.html",
        {
            "modules_menu": modules_menu(request),
            "whats_new": home_panels(request, whats_new=True),
            "panels": home_panels(request, whats_new=False),
        },
        using="jinja2",
    )

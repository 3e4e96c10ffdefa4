from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.home import home_panels
from portal.modules import MODULES
from portal.routes import home_route


def home(request: HttpRequest) -> HttpResponse:
    """Ma page d'accueil: the person's name, their services, and the apps' panels. A parent's
    home is the parents' portal's own page (one card per child)."""
    route = home_route(request.user.audience)
    if route != "portal:home":
        return redirect(route)
    # modules_on, not enabled_modules: a module ticked but unusable (Repères without its
    # address) is greyed like a disabled one.
    enabled = request.institution.modules_on
    offered = [module for module in MODULES if module.url_name and module.slug in enabled]
    return render(
        request,
        "portal/home.html",
        {
            "modules": offered,
            "other_modules": [module for module in MODULES if module not in offered],
            "whats_new": home_panels(request, whats_new=True),
            "panels": home_panels(request, whats_new=False),
        },
    )

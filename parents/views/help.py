"""Help for parents, before or after login: the frequent questions ("Aide") and the
"Formulaire d'aide aux parents" ("Contacter l'école")."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from parents.forms.help import HelpRequestForm
from parents.models import Guardian
from parents.services.help import THROTTLE, HelpRequestRefused, help_request_submit
from parents.views.common import public_parent_page
from portal.throttle import lockout_minutes

# Set after a form is sent, read once by the next GET: the confirmation page.
SENT_FLAG = "parents_help_sent"


@public_parent_page
@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    """The seed's four frequent questions, answered for what this portal does."""
    return render(
        request,
        "parents/faq.html",
        {
            "nav": "faq",
            "is_parent": _is_parent(request),
            "access_until_age": request.institution.parent_access_until_age,
        },
    )


@public_parent_page
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """ "Contacter l'école": open to anyone (a parent who cannot create an account is the first
    to need it); prefilled for a logged-in parent."""
    institution = request.institution
    if request.method == "POST":
        form = HelpRequestForm(request.POST, institution=institution)
        if form.is_valid():
            try:
                help_request_submit(request=request, data=form.cleaned_data)
            except HelpRequestRefused as refused:
                form.add_error(
                    None,
                    _(
                        "Vous avez déjà envoyé plusieurs demandes en peu de temps : votre "
                        "demande n'a pas été envoyée. Réessayez dans %(minutes)d minutes, ou "
                        "téléphonez à l'école."
                    )
                    % {"minutes": lockout_minutes(THROTTLE, refused.locked)},
                )
                return _contact_page(request, form, status=429)
            request.session[SENT_FLAG] = True
            return redirect("parents:contact")
    else:
        if request.session.pop(SENT_FLAG, False):
            return render(request, "parents/contact_sent.html", {"nav": "contact"})
        form = HelpRequestForm(initial=_prefill(request), institution=institution)
    return _contact_page(request, form)


def _contact_page(
    request: HttpRequest, form: HelpRequestForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "parents/contact.html",
        {"form": form, "nav": "contact", "is_parent": _is_parent(request)},
        status=status,
    )


def _is_parent(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.audience == User.Audience.PARENT


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """A logged-in parent's own details: names, email and a phone from a child's file. The
    child's boxes stay empty: the form is often about a child the parent does not see."""
    if not _is_parent(request):
        return {}
    user = request.user
    phone = (
        Guardian.objects.filter(account=user)
        .exclude(phone="")
        .order_by("pk")
        .values_list("phone", flat=True)
        .first()
    )
    return {
        "parent_last_name": user.last_name,
        "parent_first_name": user.first_name,
        "email": user.email or user.identifier,
        "day_phone": phone or "",
    }

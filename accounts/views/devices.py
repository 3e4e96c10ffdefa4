""" "Ce n'était pas vous ?": the link from a "Nouvelle connexion" email. Like a reset link, its
token moves into the session and the browser goes on to a token-free page; the button there
ends every session of the account and starts the password reset."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.services import recovery
from accounts.services.devices import not_me_apply, not_me_check
from accounts.views.recovery import ResetView

NOT_ME_TOKEN_KEY = "not_me_token"


@login_not_required
def not_me(request: HttpRequest, token: str) -> HttpResponse:
    request.session[NOT_ME_TOKEN_KEY] = token
    response = redirect("accounts:not_me_confirm")
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def not_me_confirm(request: HttpRequest) -> HttpResponse:
    token = request.session.get(NOT_ME_TOKEN_KEY, "")
    found = not_me_check(token) if token else None
    if found is None:
        request.session.pop(NOT_ME_TOKEN_KEY, None)
        return render(request, "accounts/not_me.html", {"validlink": False})
    user, device = found
    if request.method == "POST":
        user = not_me_apply(request=request, token=token)
        if user is None:
            return render(request, "accounts/not_me.html", {"validlink": False})
        # Every session ended, this browser's too; the reset goes on in a fresh one, through
        # the same page a reset link leads to.
        request.session.flush()
        uidb64, reset_token = recovery.session_reset_token(user)
        request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN] = reset_token
        return redirect("accounts:reset", uidb64=uidb64, token=ResetView.reset_url_token)
    return render(request, "accounts/not_me.html", {"validlink": True, "device": device})

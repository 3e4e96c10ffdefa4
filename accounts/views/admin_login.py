"""The admin's login, with the portal's stages: the password form is Django's admin form (with
the portal's throttle), then the second step, which staff always pass where the institution
requires it (the default). Served at /admin/login/, ahead of the admin's own view."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.admin import ThrottledAdminAuthenticationForm
from accounts.models import User
from accounts.services.common import throttle_key
from accounts.services.login import STAGE_VIEWS, login_begin


class AdminLoginView(LoginView):
    form_class = ThrottledAdminAuthenticationForm
    template_name = "admin/login.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if admin.site.has_permission(request):
            return redirect("admin:index")
        return super().get(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            **admin.site.each_context(self.request),
            "title": _("Connexion"),
            "subtitle": None,
            "app_path": self.request.get_full_path(),
            "username": self.request.user.get_username(),
        }

    def form_valid(self, form: ThrottledAdminAuthenticationForm) -> HttpResponse:
        user = form.get_user()
        stage = login_begin(
            request=self.request,
            user=user,
            key=throttle_key(User.Audience.STAFF, user.get_username()),
            next_url=self.get_success_url(),
            details={"admin": True},
        )
        if stage is not None:
            return redirect(STAGE_VIEWS[stage])
        return redirect(self.get_success_url())


admin_login = login_not_required(AdminLoginView.as_view())

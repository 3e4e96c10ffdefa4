from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.forms.first_use import EmailForm, QuestionsForm, SetPasswordForm
from accounts.models import User
from accounts.services.common import Refused
from accounts.services.profile import current_password_verify
from accounts.views.common import locked_message
from portal.models import Institution


class CurrentPasswordMixin(forms.Form):
    """Sensitive changes ask for the password again (the seeds' "NIP")."""

    current_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    user: User
    request: HttpRequest

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        try:
            current_password_verify(request=self.request, user=self.user, password=password)
        except Refused as refused:
            raise forms.ValidationError(
                locked_message(refused.locked)
                if refused.locked
                else _("Votre mot de passe actuel n'est pas le bon."),
                code="password_incorrect",
            ) from None
        return password


class PasswordChangeForm(CurrentPasswordMixin, SetPasswordForm):
    field_order = ["current_password", "password1", "password2"]

    def __init__(
        self, *args: Any, request: HttpRequest, institution: Institution, **kwargs: Any
    ) -> None:
        self.request, self.user = request, request.user
        super().__init__(*args, institution=institution, person=request.user, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        new, current = data.get("password1"), data.get("current_password")
        if new and current and new == current:
            self.add_error("password1", _("Choisissez un mot de passe différent de l'actuel."))
        return data


class QuestionsChangeForm(CurrentPasswordMixin, QuestionsForm):
    def __init__(self, *args: Any, request: HttpRequest, count: int, **kwargs: Any) -> None:
        self.request, self.user = request, request.user
        person = getattr(self.user, "student", None) or self.user
        super().__init__(*args, count=count, person=person, **kwargs)
        self.order_fields(["current_password"])


class EmailChangeForm(CurrentPasswordMixin, EmailForm):
    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request, self.user = request, request.user
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Nouveau courriel")
        self.order_fields(["current_password"])

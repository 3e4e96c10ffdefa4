"""The parents' login, account creation, activation and reset forms. Labels carry the parents'
guide's French wording (seed 004)."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import SetPasswordForm, answer_is_trivial
from accounts.forms.first_use import DateInput, DayField
from accounts.forms.recovery import AnswerInput
from accounts.models import SecretQuestion, User
from accounts.validators import personal_facts
from parents.services.account import SignupClaim, normalize_email
from portal.models import Institution
from portal.normalize import normalize_answer, normalize_name
from portal.selectors import institution_current

# The youngest child still at school: born in the last 30 years, and not in the future.
CHILD_MAX_AGE_YEARS = 30


def email_input() -> forms.EmailInput:
    return forms.EmailInput(attrs={"autocomplete": "email"})


PARENT_EMAIL_MAX = 150 - len("parent:")


class ParentLoginForm(forms.Form):
    # A plain text field, not an EmailField: whatever is typed (a student's number too) gets
    # the one uniform refusal from the login service.
    email = forms.CharField(
        label=_("Nom d'utilisateur (courriel)"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class SignupEmailForm(forms.Form):
    # The login is "parent:<email>" in a 150-character username.
    email = forms.EmailField(label=_("Courriel"), max_length=PARENT_EMAIL_MAX, widget=email_input())

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class SignupDetailsForm(forms.Form):
    """The parent's names, and the youngest child's birthdate, school and home's civic number."""

    last_name = forms.CharField(label=_("Nom de famille"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    birthdate = DayField(
        label=_("Date de naissance"), widget=DateInput(attrs={"autocomplete": "off"})
    )
    school = forms.ModelChoiceField(label=_("École"), queryset=None, empty_label=_("Choisir"))
    civic_number = forms.CharField(
        label=_("Numéro civique du domicile"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["school"].queryset = institution.schools.order_by("name")
        today = timezone.localdate()
        self.earliest = today.replace(year=today.year - CHILD_MAX_AGE_YEARS, day=1)
        self.fields["birthdate"].widget.attrs.update(
            {"min": self.earliest.isoformat(), "max": today.isoformat()}
        )

    def clean_birthdate(self) -> datetime.date:
        birthdate = self.cleaned_data["birthdate"]
        if not self.earliest <= birthdate <= timezone.localdate():
            raise forms.ValidationError(_("Cette date de naissance n'est pas valide."))
        return birthdate

    def clean_civic_number(self) -> str:
        return "".join(self.cleaned_data["civic_number"].split())

    def claim(self, email: str) -> SignupClaim:
        data = self.cleaned_data
        return SignupClaim(
            email=email,
            last_name=data["last_name"],
            first_name=data["first_name"],
            birthdate=data["birthdate"],
            school=data["school"],
            civic_number=data["civic_number"],
        )


class ActivationForm(SetPasswordForm):
    """ "Création d'un compte pour le portail des parents": the password twice, under the
    institution's policy, and one secret question for reset. Django's PasswordResetConfirmView
    passes the user first."""

    question = forms.ModelChoiceField(
        label=_("Question secrète"),
        queryset=SecretQuestion.objects.filter(is_active=True),
        empty_label=_("Choisir"),
        help_text=_("* Cette question vous sera posée si vous oubliez votre mot de passe"),
    )
    answer = forms.CharField(
        label=_("Votre réponse"),
        max_length=100,
        # Like a password, a secret answer is never written back into the page.
        widget=AnswerInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, institution=institution_current(), person=user, **kwargs)
        self.fields["password2"].label = _("Confirmation du mot de passe")

    def clean_answer(self) -> str:
        answer = self.cleaned_data["answer"]
        normalized = normalize_answer(answer)
        if answer_is_trivial(normalized):
            raise forms.ValidationError(_("Cette réponse est trop facile à deviner."))
        raw = personal_facts(self.user)
        facts = {normalize_answer(fact) for fact in raw} | {normalize_name(fact) for fact in raw}
        if facts & {normalized, normalized.replace(" ", ""), normalize_name(answer)}:
            raise forms.ValidationError(
                _("La réponse ne peut pas être votre nom ni votre courriel.")
            )
        return answer


class ResetEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Nom d'utilisateur (Courriel)"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class ResetAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Votre réponse"),
        max_length=100,
        widget=AnswerInput(attrs={"autocomplete": "off"}),
    )

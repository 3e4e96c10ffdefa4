"""Forms validate only: they never write. Labels carry the seeds' French wording."""

import datetime
import re
from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib.auth import password_validation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.captcha import CAPTCHA_ERRORS
from accounts.models import SecretQuestion
from accounts.services.first_use import IdentityClaim
from accounts.validators import personal_facts, validators_for
from portal.models import Institution
from portal.normalize import normalize_answer, normalize_identifier, normalize_name
from students import code_permanent

# JJ/MM/AAAA as the seeds ask for it, and AAAA-MM-JJ as a browser or a record writes it.
BIRTHDATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


class DateInput(forms.DateInput):
    """A date typed in one text field (JJ/MM/AAAA): one tab stop, where a browser's date
    picker has three (day, month, year) and reads them in the browser's language, not the
    page's."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        attrs = {
            "inputmode": "numeric",
            "placeholder": _("JJ/MM/AAAA"),
            "maxlength": 10,
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%d/%m/%Y")


class DayField(forms.DateField):
    """A date a student or a parent types: JJ/MM/AAAA (or AAAA-MM-JJ), with a French error
    that shows the expected format. The label says the format too."""

    widget = DateInput
    default_error_messages = {
        "invalid": _("Écrivez la date au format JJ/MM/AAAA, par exemple 14/03/2010."),
    }

    def __init__(self, *, label: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", BIRTHDATE_FORMATS)
        super().__init__(label=format_lazy("{} ({})", label, _("JJ/MM/AAAA")), **kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        day = super().to_python(value.strip() if isinstance(value, str) else value)
        if day is not None and day.year < 1000:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return day


def identifier_label(institution: Institution) -> str:
    return _("%(name)s (%(n)d chiffres)") % {
        "name": institution.get_identifier_name_display(),
        "n": institution.identifier_length,
    }


class IdentifierField(forms.CharField):
    """A number of the institution's length, kept as a string so "00875" keeps its zeros."""

    def __init__(self, *, length: int, **kwargs: Any) -> None:
        self.length = length
        super().__init__(max_length=40, **kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "username", "pattern": r"\d*"}
        )

    def clean(self, value: Any) -> str:
        value = normalize_identifier(super().clean(value))
        if not re.fullmatch(rf"\d{{{self.length}}}", value):
            raise forms.ValidationError(
                _("Ce numéro compte %(n)d chiffres.") % {"n": self.length}, code="identifier"
            )
        return value


class LoginForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, institution: Institution, audience: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audience = audience
        if audience == "employee":
            field = forms.CharField(label=_("No d'employé"), max_length=20)
            field.widget.attrs["autocomplete"] = "username"
        else:
            field = IdentifierField(
                length=institution.identifier_length, label=identifier_label(institution)
            )
        self.fields = {"identifier": field, **self.fields}
        # Two forms share the login page: ids must not collide.
        self.prefix = audience


class IdentityForm(forms.Form):
    """First use, step 1: the institution's proofs of identity."""

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.fields["identifier"] = IdentifierField(
            length=institution.identifier_length, label=identifier_label(institution)
        )
        if institution.uses_code_permanent:
            self.fields["code_permanent"] = forms.CharField(
                label=_("Code permanent"),
                max_length=20,
                help_text=_("4 lettres et 8 chiffres, tel qu'inscrit sur votre avis d'admission."),
            )
            self.fields["code_permanent"].widget.attrs["autocomplete"] = "off"
        else:
            self.fields["last_name"] = forms.CharField(label=_("Nom de famille"), max_length=100)
            self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["birthdate"] = DayField(
            label=_("Date de naissance"), widget=DateInput(attrs={"autocomplete": "bday"})
        )
        if not institution.uses_code_permanent:
            self.fields["postal_code"] = forms.CharField(label=_("Code postal"), max_length=10)
            self.fields["postal_code"].widget.attrs["autocomplete"] = "postal-code"
        if institution.captcha_enabled:
            self.fields["captcha"] = CaptchaField(
                label=_("Code de sécurité"),
                help_text=_("Recopiez les caractères de l'image."),
                widget=CaptchaTextInput(attrs={"aria-label": _("Code de sécurité")}),
                error_messages=CAPTCHA_ERRORS,
            )

    def clean_code_permanent(self) -> str:
        return code_permanent.clean_code_permanent(self.cleaned_data["code_permanent"])

    def clean_birthdate(self) -> datetime.date:
        birthdate = self.cleaned_data["birthdate"]
        if not datetime.date(1900, 1, 1) <= birthdate <= datetime.date.today():
            raise forms.ValidationError(_("Cette date de naissance n'est pas valide."))
        return birthdate

    def claim(self) -> IdentityClaim:
        data = self.cleaned_data
        return IdentityClaim(
            identifier=data["identifier"],
            birthdate=data["birthdate"],
            code_permanent=data.get("code_permanent", ""),
            last_name=data.get("last_name", ""),
            postal_code=data.get("postal_code", ""),
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code reçu par courriel"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("Le code compte 6 chiffres."))
        return code


TRIVIAL_ANSWERS = {
    "aucun",
    "aucune",
    "none",
    "non",
    "oui",
    "yes",
    "no",
    "test",
    "na",
    "nil",
    "rien",
}
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz")


def answer_is_trivial(answer: str) -> bool:
    """ "123", "aaa", "abc", "oui": answers anyone could guess."""
    compact = normalize_answer(answer).replace(" ", "")
    if len(compact) < 2 or len(set(compact)) == 1 or compact in TRIVIAL_ANSWERS:
        return True
    return any(compact in seq or compact in seq[::-1] for seq in SEQUENCES)


class QuestionsForm(forms.Form):
    """First use: the institution's number of distinct questions, each with its answer."""

    def __init__(self, *args: Any, count: int, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = count
        self.person = person
        questions = SecretQuestion.objects.filter(is_active=True)
        for i in range(1, count + 1):
            self.fields[f"question_{i}"] = forms.ModelChoiceField(
                queryset=questions,
                label=_("Question #%(n)d") % {"n": i},
                empty_label=_("Choisir une question"),
            )
            self.fields[f"answer_{i}"] = forms.CharField(
                label=_("Réponse"),
                max_length=100,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        raw_facts = personal_facts(self.person)
        facts = {normalize_answer(fact) for fact in raw_facts} | {
            normalize_name(fact) for fact in raw_facts
        }
        chosen: list[int] = []
        given: list[str] = []
        for i in range(1, self.count + 1):
            question = data.get(f"question_{i}")
            answer = data.get(f"answer_{i}")
            if question is not None:
                if question.pk in chosen:
                    self.add_error(f"question_{i}", _("Choisissez des questions différentes."))
                chosen.append(question.pk)
            if answer is not None:
                normalized = normalize_answer(answer)
                if answer_is_trivial(normalized):
                    self.add_error(f"answer_{i}", _("Cette réponse est trop facile à deviner."))
                elif facts & {normalized, normalized.replace(" ", ""), normalize_name(answer)}:
                    self.add_error(
                        f"answer_{i}",
                        _(
                            "La réponse ne peut pas être votre numéro, votre nom, votre date de "
                            "naissance ni votre code permanent."
                        ),
                    )
                elif normalized in given:
                    self.add_error(
                        f"answer_{i}", _("Donnez une réponse différente à chaque question.")
                    )
                given.append(normalized)
        return data

    def answers(self) -> list[tuple[SecretQuestion, str]]:
        return [
            (self.cleaned_data[f"question_{i}"], self.cleaned_data[f"answer_{i}"])
            for i in range(1, self.count + 1)
        ]


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Courriel"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    email_confirm = forms.EmailField(
        label=_("Confirmez votre courriel"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email, confirm = data.get("email"), data.get("email_confirm")
        if email and confirm and email.casefold() != confirm.casefold():
            self.add_error("email_confirm", _("Les deux adresses courriel ne correspondent pas."))
        return data


class SetPasswordForm(forms.Form):
    """Password twice, under the institution's policy plus the checks every policy gets."""

    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, institution: Institution, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators = validators_for(institution)
        self.person = person
        # Every rule that will be checked, the institution's first, in full.
        self.fields["password1"].help_text = " ".join(
            dict.fromkeys(str(validator.get_help_text()) for validator in self.validators)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif password1:
            try:
                password_validation.validate_password(
                    password1, user=self.person, password_validators=self.validators
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

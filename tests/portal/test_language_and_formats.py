"""Dates, times and amounts per language (issue 15), the dates students and parents type
(JJ/MM/AAAA), the password rules said in full, and the home page's one "Quoi de neuf ?"."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.forms.first_use import IdentityForm, SetPasswordForm
from accounts.validators import PersonalDataValidator
from messaging.models import Message, MessageRecipient
from tests.factories import activate, make_employee

NBSP = "\u00a0"
TUESDAY = datetime.datetime(2026, 12, 1, 10, 15)


@pytest.fixture(autouse=True)
def _french():
    # A page read in English leaves English active in the thread; each test starts in French.
    with translation.override("fr"):
        yield


def render(source: str, lang: str, **context) -> str:
    with translation.override(lang):
        return Template("{% load portal_format %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("name", "french", "english"),
    [
        ("DATE_FORMAT", "1er décembre 2026", "December 1, 2026"),
        ("SHORT_DATE_FORMAT", "1er déc. 2026", "Dec. 1, 2026"),
        (
            "DAY_TIME_FORMAT",
            f"mardi 1er décembre, 10{NBSP}h{NBSP}15",
            "Tuesday, December 1, 10:15 a.m.",
        ),
        (
            "DATETIME_FORMAT",
            f"mardi 1er décembre 2026, 10{NBSP}h{NBSP}15",
            "Tuesday, December 1, 2026, 10:15 a.m.",
        ),
        ("MONTH_DAY_FORMAT", "1er décembre", "December 1"),
    ],
)
def test_when_in_both_languages(name, french, english):
    moment = timezone.make_aware(TUESDAY)
    assert render(f'{{{{ moment|when:"{name}" }}}}', "fr", moment=moment) == french
    assert render(f'{{{{ moment|when:"{name}" }}}}', "en", moment=moment) == english


def test_only_the_first_of_a_month_is_1er_and_abbreviations_are_lower_case():
    day = datetime.date(2026, 12, 21)
    assert render('{{ d|when:"SHORT_DATE_FORMAT" }}', "fr", d=day) == "21 déc. 2026"
    assert render('{{ d|when:"DATE_FORMAT" }}', "fr", d=day) == "21 décembre 2026"
    assert render('{{ d|when:"SHORT_DATE_FORMAT" }}', "fr", d=datetime.date(2026, 2, 1)) == (
        "1er fév. 2026"
    )


def test_money_in_both_languages():
    assert render("{{ a|money }}", "fr", a=325) == f"325,00{NBSP}$"
    assert render("{{ a|money }}", "en", a=325) == "$325.00"


def test_no_student_or_parent_template_hard_codes_a_date_format():
    """Every date a student or a parent reads follows the language (`when`)."""
    from django.conf import settings

    root = settings.BASE_DIR / "templates"
    offenders = []
    for path in root.rglob("*"):
        if path.is_file() and "admin" not in path.relative_to(root).parts:
            for match in re.finditer(r"\|(?:date|time):\s*['\"]([^'\"]+)['\"]", path.read_text()):
                if match.group(1) != "Y-m":  # the calendar's ?mois= in a link
                    offenders.append(f"{path.relative_to(root)}: {match.group(0)}")
    assert not offenders


@pytest.mark.exact_spaces
def test_the_inbox_follows_the_language(client, institution, bob):
    teacher = activate(make_employee(institution), password="x")
    message = Message.objects.create(sender=teacher, subject="Rappel", body="Texte")
    MessageRecipient.objects.create(message=message, user=bob)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.make_aware(TUESDAY))
    client.force_login(bob)
    french = client.get(reverse("messaging:inbox")).content.decode()
    assert f"1er déc. 2026, 10{NBSP}h{NBSP}15" in french
    client.cookies["django_language"] = "en"
    english = client.get(reverse("messaging:inbox")).content.decode()
    assert "Dec. 1, 2026, 10:15 a.m." in english


# --- Dates typed JJ/MM/AAAA ---------------------------------------------------------------


@pytest.mark.parametrize("typed", ["14/03/2010", "2010-03-14", " 14/03/2010 ", "14-03-2010"])
def test_a_birthdate_typed_either_way(institution, typed):
    form = IdentityForm({"birthdate": typed}, institution=institution)
    form.is_valid()
    assert "birthdate" not in form.errors
    assert form.cleaned_data["birthdate"] == datetime.date(2010, 3, 14)


@pytest.mark.parametrize("typed", ["31/02/2010", "14/03/10", "mars 2010", "2010/14/03"])
def test_a_wrong_date_says_the_format_in_french(institution, typed):
    form = IdentityForm({"birthdate": typed}, institution=institution)
    assert not form.is_valid()
    assert form.errors["birthdate"] == [
        "Écrivez la date au format JJ/MM/AAAA, par exemple 14/03/2010."
    ]


def test_the_date_field_is_one_labelled_text_field(institution):
    form = IdentityForm(institution=institution)
    html = str(form["birthdate"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert 'placeholder="JJ/MM/AAAA"' in html
    assert str(form["birthdate"].label) == "Date de naissance (JJ/MM/AAAA)"
    filled = IdentityForm(
        initial={"birthdate": datetime.date(2010, 3, 14)}, institution=institution
    )
    assert 'value="14/03/2010"' in str(filled["birthdate"])


def test_the_parents_signup_asks_jj_mm_aaaa(client):
    from parents.forms.account import SignupDetailsForm

    assert "JJ/MM/AAAA" in str(SignupDetailsForm.base_fields["birthdate"].label)


# --- Password rules said in full -------------------------------------------------------------


def test_the_help_text_lists_every_rule(institution, alice):
    form = SetPasswordForm(institution=institution, person=alice)
    help_text = str(form.fields["password1"].help_text)
    identifier = str(institution.get_identifier_name_display()).lower()
    assert f"ne doit pas contenir votre nom, votre {identifier}" in help_text
    assert "votre date de naissance" in help_text
    assert "caractères" in help_text  # the institution's length rule
    assert "couramment utilisé" in help_text or "courant" in help_text


@pytest.mark.parametrize(
    ("password", "found"),
    [
        ("Zq9-tremblay-Xw", "votre nom"),
        ("Zq9-20060305-Xw", "votre date de naissance"),
        ("Zq9-05/03/2006-Xw", "votre date de naissance"),
    ],
)
def test_the_error_names_the_rule_broken(institution, alice, password, found):
    form = SetPasswordForm(
        {"password1": password, "password2": password}, institution=institution, person=alice
    )
    assert not form.is_valid()
    errors = " ".join(form.errors["password1"])
    assert f"Le mot de passe contient {found}." in errors


def test_the_matricule_is_named(institution, alice):
    identifier = str(institution.get_identifier_name_display()).lower()
    with pytest.raises(Exception) as error:
        PersonalDataValidator(institution).validate(f"Zq9{alice.matricule}Xw", alice)
    assert f"Le mot de passe contient votre {identifier}." in str(error.value)


# --- Home ------------------------------------------------------------------------------------


@pytest.mark.exact_spaces
def test_the_home_page_has_one_whats_new_region(client, bob):
    client.force_login(bob)
    page = client.get(reverse("portal:home")).content.decode()
    assert page.count('aria-labelledby="whats-new-title"') == 1
    assert page.count(f">Quoi de neuf{NBSP}?</h2>") == 1  # one heading; the menu may describe it


def test_no_stray_p_at_iement_heading():
    from django.conf import settings

    root = settings.BASE_DIR / "templates"
    assert not [p for p in root.rglob("*.html") if "P@iement" in p.read_text()]


def test_the_home_balance_in_both_languages(client, institution, bob):
    from tests.factories import make_invoice

    make_invoice(bob.student, lines=(("Droits", "325.00", False),))
    client.force_login(bob)
    french = client.get(reverse("portal:home")).content.decode()
    assert "Solde à payer de 325,00 $" in french
    client.cookies["django_language"] = "en"
    english = client.get(reverse("portal:home")).content.decode()
    assert "Balance due: $325.00" in english

"""The Jinja2 pages (portal/jinja2.py, decision 0016): one layout for both engines, values
escaped (translations trusted as Django's are), both languages, Django's formats, and a
Jinja2 partial inside a Django template."""

import datetime
from decimal import Decimal

from django.template import Context, Template, engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.accounts.test_login import student_login

HOME = reverse("portal:home")
PROFILE = reverse("accounts:profile")


def jinja(source: str, **values) -> str:
    return engines["jinja2"].from_string(source).render(values)


def test_a_jinja2_page_and_a_django_page_share_one_layout(client, bob):
    student_login(client, "2026102")
    home = client.get(HOME).content.decode()  # Jinja2
    profile = client.get(PROFILE).content.decode()  # Django
    for page in (home, profile):
        assert page.startswith("<!doctype html>")
        assert 'href="#contenu">Aller au contenu</a>' in page
        assert 'data-testid="user-name">Bob Gagnon</span>' in page
        assert page.count('name="csrfmiddlewaretoken"') >= 2
        assert page.rstrip().endswith("</html>")
    # The layout's forms work from either page: leaving with the page's token.
    token = home.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 302  # logged out


def test_a_name_is_escaped_in_a_translated_sentence(client, bob):
    User.objects.filter(pk=bob.pk).update(first_name="<script>alert(1)</script>")
    student_login(client, "2026102")
    page = client.get(HOME).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Bienvenue, &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_translations_are_trusted_and_values_escaped():
    with translation.override("fr"):
        assert jinja('{{ _("Vous n\'avez aucun solde à payer.") }}') == (
            "Vous n'avez aucun solde à payer."
        )
        assert jinja("{% trans name=x %}Bienvenue, {{ name }}{% endtrans %}", x="<b>") == (
            "Bienvenue, &lt;b&gt;"
        )
        assert jinja("{{ x }}", x="<i>") == "&lt;i&gt;"
    with translation.override("en"):
        assert jinja('{{ _("Quitter") }}') == "Log out"
        assert jinja("{% trans name=x %}Bienvenue, {{ name }}{% endtrans %}", x="Bob") == (
            "Welcome, Bob"
        )


def test_formats_follow_the_language():
    day = datetime.date(2026, 12, 1)
    with translation.override("fr"):
        assert jinja('{{ d|when("DATE_FORMAT") }}', d=day) == "1er décembre 2026"
        assert jinja("{{ n|number }} {{ a|money }}", n=Decimal("12.5"), a=Decimal("1234.5")) == (
            "12,5 1\xa0234,50\xa0$"
        )
        assert jinja('{{ n|floatformat("-2") }}', n=Decimal("85.50")) == "85,50"
    with translation.override("en"):
        assert jinja('{{ d|when("DATE_FORMAT") }}', d=day) == "December 1, 2026"
        assert jinja("{{ n|number }} {{ a|money }}", n=Decimal("12.5"), a=Decimal("1234.5")) == (
            "12.5 $1,234.50"
        )


def test_an_aware_datetime_is_shown_in_the_portals_time_zone():
    # 02:30 UTC on 2 December is 21:30 on 1 December in Montreal.
    moment = datetime.datetime(2026, 12, 2, 2, 30, tzinfo=datetime.UTC)
    with translation.override("fr"):
        assert jinja('{{ m|when("DATE_FORMAT") }}', m=moment) == "1er décembre 2026"


def test_a_jinja2_partial_inside_a_django_template(rf: RequestFactory):
    template = Template(
        '{% load jinja_pages %}<div>{% jinja_include "billing/_home_balance.html" panel=p %}</div>'
    )
    with translation.override("fr"):
        html = template.render(Context({"p": {"balance": Decimal("325")}}))
    assert html.startswith("<div><section") and html.endswith("</section></div>")
    assert "Solde à payer de 325,00\xa0$" in html


def test_a_time_of_day_as_djangos_time_filter_prints_it():
    at = datetime.time(8, 30)
    with translation.override("fr"):
        assert jinja("{{ t|time }}", t=at) == Template("{{ t|time }}").render(Context({"t": at}))
        assert jinja("{{ t|time }}", t=at) == "8\xa0h\xa030"
    with translation.override("en"):
        assert jinja("{{ t|time }}", t=at) == Template("{{ t|time }}").render(Context({"t": at}))
        assert jinja("{{ t|time }}", t=at) == "8:30 a.m."

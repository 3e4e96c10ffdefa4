"""Error pages in the portal's own words and layout, with no inline style for the CSP to
refuse."""

from django.test import Client
from django.urls import reverse

from tests.accounts.test_first_use import page


def test_a_missing_page_is_the_portals_own(client, institution):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    text = page(response)
    assert "Page introuvable" in text
    assert f'href="{reverse("accounts:login")}"' in text
    assert "<style" not in text


def test_a_form_without_its_csrf_token_gets_a_plain_explanation(institution):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("parents:login"), {"email": "x@example.com"})
    assert response.status_code == 403
    text = page(response)
    assert "Ce formulaire a expiré" in text
    assert "<style" not in text and "DEBUG" not in text


def test_the_server_error_page_renders_without_any_context():
    from django.template.loader import render_to_string

    text = render_to_string("500.html")
    assert "Le portail a rencontré une erreur" in text
    assert "<style" not in text

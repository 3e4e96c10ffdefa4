"""tests/conftest.py reads a page's or an email's U+00A0 as a space, except under
`exact_spaces`: both ways are checked here, so the fixture cannot hide the typography."""

import pytest
from django.core import mail
from django.urls import reverse

NBSP = "\u00a0"


def test_a_page_reads_its_no_break_spaces_as_spaces(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert NBSP not in page and "Première utilisation ?" in page


@pytest.mark.exact_spaces
def test_exact_spaces_keeps_them(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f"Première utilisation{NBSP}?" in page


def test_an_email_reads_them_as_spaces(db):
    mail.send_mail(f"Objet{NBSP}: test", f"Bonjour{NBSP}!", "a@example.org", ["b@example.org"])
    assert mail.outbox[-1].subject == "Objet : test" and mail.outbox[-1].body == "Bonjour !"

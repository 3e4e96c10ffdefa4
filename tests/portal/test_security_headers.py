"""Security headers and the CSP's promise: no inline script or style on any page, and the
language switch to English."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.accounts.test_first_use import CSTJ_PASSWORD, identity_data, page, url, walk_first_use
from tests.accounts.test_login import student_login
from tests.factories import make_student


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, <style> tags, style= and
    on*= event-handler attributes, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not names.get("src"):
                self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> tag")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("code inside a <script src>")


def inline_code(response) -> list[str]:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.problems


def assert_strict_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "default-src 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def pages(client, alice, commit) -> dict:
    """Every page of the first use and login, as a student meets them."""
    seen = {"login": client.get(url("login")), "identity": client.get(url("first_use"))}
    seen["identity with errors"] = client.post(
        url("first_use"), identity_data(alice, birthdate="2006-03-06")
    )
    seen["login with errors"] = student_login(client, "2099999", "Mauvais-Mot-2026")
    for step in ("code", "questions", "password"):
        walk_first_use(client, alice, commit=commit, until=f"accounts:first_use_{step}")
        seen[step] = client.get(url(f"first_use_{step}"))
    seen["password with errors"] = client.post(
        url("first_use_password"), {"password1": "court", "password2": "court"}
    )
    client.post(url("first_use_password"), {"password1": CSTJ_PASSWORD, "password2": CSTJ_PASSWORD})
    seen["home"] = client.get(reverse("portal:home"))
    return seen


def test_every_page_sends_strict_headers_and_has_no_inline_code(pages):
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert_strict_headers(response)
        assert inline_code(response) == [], name


def test_home_page_after_login(client, bob):
    student_login(client, "2026102")
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert_strict_headers(response)
    assert inline_code(response) == []


def test_email_step_and_already_active_page(client, load_preset, commit):
    institution = load_preset("caomsc")
    member = make_student(
        institution, matricule="00875", birthdate=datetime.date(1979, 11, 23), postal_code="H2T 2C8"
    )
    walk_first_use(client, member, commit=commit, until="accounts:first_use_email")
    response = client.get(url("first_use_email"))
    assert_strict_headers(response)
    assert inline_code(response) == []

    walk_first_use(client, member, commit=commit, password="tulipe482")
    client.post(reverse("accounts:logout"))
    response = client.post(url("first_use"), identity_data(member))
    assert "Votre compte est déjà activé" in page(response)
    assert_strict_headers(response)
    assert inline_code(response) == []


def test_captcha_image_is_public(client, institution):
    response = client.get(url("first_use"))
    key = response.content.decode().split('name="captcha_0" value="')[1].split('"')[0]
    image = client.get(reverse("captcha-image", kwargs={"key": key}))
    assert image.status_code == 200
    assert image["Content-Type"].startswith("image/")


def test_the_language_switch_makes_the_login_page_english(client, institution):
    french = client.get(url("login"))
    assert '<html lang="fr">' in page(french)
    assert "Étudiants" in page(french)

    response = client.post(reverse("set_language"), {"language": "en", "next": url("login")})
    assert response.status_code == 302
    assert response["Location"] == url("login")
    english = client.get(url("login"))
    assert '<html lang="en">' in page(english)
    assert "Students" in page(english)
    assert "First use?" in page(english)
    assert "Étudiants" not in page(english)

    client.post(reverse("set_language"), {"language": "fr", "next": url("login")})
    assert "Étudiants" in page(client.get(url("login")))

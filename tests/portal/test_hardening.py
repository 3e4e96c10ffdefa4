"""Hardening: the security headers, Referrer-Policy on the pages that hold tokens, a canonical
host for emailed links, HSTS over HTTPS, and `check --deploy` clean with the production
environment docs/deployment.md documents."""

import os
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tokens import activation_token, recovery_token
from tests.accounts.test_first_use import page, url
from tests.accounts.test_login import student_login
from tests.conftest import PASSWORD
from tests.factories import activate, make_employee

BASE_DIR = Path(django_settings.BASE_DIR)
DEPLOYMENT_DOC = BASE_DIR / "docs" / "deployment.md"
CANONICAL = "https://portail.cegep.example"


def uid(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


# --- Headers --------------------------------------------------------------------------------


def test_pages_send_a_strict_csp_and_nosniff(client, bob):
    responses = [client.get(url("login")), client.get(url("recovery"))]
    student_login(client, "2026102")
    responses += [client.get(reverse("portal:home")), client.get(url("profile"))]
    for response in responses:
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp
        assert "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert "no-store" in response["Cache-Control"]


def test_no_hsts_over_plain_http(client, institution):
    assert "Strict-Transport-Security" not in client.get(url("login"))


def test_hsts_for_a_year_over_https(settings, institution):
    # What PORTAL_HTTPS=1 sets. SecurityMiddleware reads its settings when it is built, so the
    # client (and its middleware chain) is created after the change.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    client = Client()
    response = client.get(url("login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get(url("login"))


# --- Referrer-Policy on the pages whose address holds a token --------------------------------


def test_reset_pages_send_no_referrer(client, bob):
    # A forged link, then a real one: both pages are kept from leaking their address.
    response = client.get(reverse("accounts:reset", args=[uid(bob), "faux-jeton"]))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"

    response = client.get(
        reverse("accounts:reset", args=[uid(bob), recovery_token.make_token(bob)])
    )
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    assert "nouveau" in response["Location"]  # the token left the address
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "Choix d'un nouveau mot de passe" in page(response)
    # The token-free form page keeps same-origin: with no-referrer, browsers post "Origin:
    # null" and Django's CSRF check refuses the form (docs/decisions/0004).
    assert response["Referrer-Policy"] == "same-origin"


def test_activation_and_email_confirmation_pages_send_no_referrer(client, institution):
    record = make_employee(institution, employee_number="50042")
    user = activate(record, password=PASSWORD)
    response = client.get(
        reverse("accounts:activate", args=[uid(user), activation_token.make_token(user)])
    )
    assert response["Referrer-Policy"] == "no-referrer"
    response = client.get(reverse("accounts:email_confirm", args=["faux-jeton"]))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Ce lien n'est plus valide" in page(client.get(response["Location"]))


def test_form_pages_without_a_token_keep_same_origin(client, bob):
    client.post(url("recovery"), {"identifier": "2026102", "captcha_0": "x", "captcha_1": "PASSED"})
    assert client.get(url("recovery_questions"))["Referrer-Policy"] == "same-origin"
    assert client.get(url("login"))["Referrer-Policy"] == "same-origin"


# --- Host header ----------------------------------------------------------------------------


def test_a_forged_host_header_gets_a_400(client, institution):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get(url("recovery"), HTTP_HOST="evil.example").status_code == 400
    # X-Forwarded-Host is not believed.
    response = client.get("/", HTTP_X_FORWARDED_HOST="evil.example")
    assert response.status_code == 200


def emailed_links(message) -> list[str]:
    parts = [message.body, *(content for content, _type in message.alternatives)]
    return re.findall(r"https?://[^\s\"'<>]+", " ".join(parts))


def test_links_in_emails_use_the_canonical_address_whatever_the_host(settings, alice, commit):
    settings.PORTAL_BASE_URL = CANONICAL
    activate(alice, password=PASSWORD, answers=("Filou", "Rimouski", "Gabrielle"))
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_HOST="evil.example")

    # A recovery link (secret questions, then an email to the address on file).
    client.post(
        url("recovery"), {"identifier": alice.matricule, "captcha_0": "x", "captcha_1": "PASSED"}
    )
    form = client.get(url("recovery_questions")).context["form"]
    answers = dict(zip(form.fields, ("Filou", "Rimouski", "Gabrielle"), strict=True))
    with commit():
        response = client.post(url("recovery_questions"), answers)
    assert "Vérifiez vos courriels" in page(response)

    # An email-change link, requested from a logged-in page.
    student_login(client, alice.matricule)
    with commit():
        client.post(
            url("email_change"),
            {
                "current_password": PASSWORD,
                "email": "alice@nouveau.example",
                "email_confirm": "alice@nouveau.example",
            },
        )

    links = [link for message in mail.outbox for link in emailed_links(message)]
    assert any("/reinitialiser/" in link for link in links)
    assert any("/profil/courriel/confirmer/" in link for link in links)
    for link in links:
        assert link.startswith(CANONICAL + "/"), link
        assert "127.0.0.1" not in link and "evil.example" not in link


# --- Production settings, in a process of their own ------------------------------------------


def documented_environment() -> dict[str, str]:
    """The `KEY=value` lines of the first code block under "The production environment" in
    docs/deployment.md, with a real secret key and a private var directory."""
    text = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    section = text.split("## The production environment", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.S).group(1)
    environment = {}
    for line in block.splitlines():
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            environment[match.group(1)] = match.group(2).strip().strip('"')
    return environment


def run_in_production(environment: dict[str, str], tmp_path: Path, *args: str):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **environment,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production() -> dict[str, str]:
    environment = documented_environment()
    for name in ("PORTAL_HTTPS", "PORTAL_BEHIND_PROXY", "DJANGO_ALLOWED_HOSTS", "EMAIL_HOST"):
        assert name in environment, name
    return environment


def test_check_deploy_passes_with_the_documented_environment(production, tmp_path):
    result = run_in_production(
        production, tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_https(production, tmp_path):
    environment = {k: v for k, v in production.items() if k != "PORTAL_HTTPS"}
    result = run_in_production(
        environment, tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output, warning


def test_the_documented_environment_serves_hsts_and_redirects_to_https(production, tmp_path):
    # The real middleware chain under the production settings, without a database: a request
    # through the proxy (X-Forwarded-Proto: https), and one in plain HTTP.
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.conf import settings
        from django.http import HttpResponse
        from django.middleware.security import SecurityMiddleware
        from django.test import RequestFactory

        host = settings.ALLOWED_HOSTS[0]
        middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
        factory = RequestFactory(HTTP_HOST=host)
        proxied = middleware(factory.get("/", HTTP_X_FORWARDED_PROTO="https"))
        plain = middleware(factory.get("/accueil/"))
        print("HSTS", proxied.status_code, proxied.get("Strict-Transport-Security"))
        print("PLAIN", plain.status_code, plain.get("Location"))
        print("COOKIES", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
        print("DEBUG", settings.DEBUG)
        """
    )
    environment = {**production, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = run_in_production(environment, tmp_path, "-c", script)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    # One year, and exactly what the guide's table of headers promises.
    documented = re.search(
        r"\| `Strict-Transport-Security` \| `([^`]+)`", DEPLOYMENT_DOC.read_text(encoding="utf-8")
    ).group(1)
    assert documented.startswith("max-age=31536000;")
    assert lines["HSTS"] == f"200 {documented}"
    host = production["DJANGO_ALLOWED_HOSTS"].split(",")[0]
    assert lines["PLAIN"] == f"301 https://{host}/accueil/"
    assert lines["COOKIES"] == "True True"
    assert lines["DEBUG"] == "False"
    assert production["PORTAL_BASE_URL"].startswith("https://")


def test_every_environment_variable_the_settings_read_is_documented():
    source = (BASE_DIR / "portal" / "settings.py").read_text(encoding="utf-8")
    read = set(
        re.findall(
            r'(?:os\.environ(?:\.get)?\(\s*|os\.environ\[|env_bool\(|env_list\(|env=)"([A-Z][A-Z0-9_]+)"',
            source,
        )
    )
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "PORTAL_HTTPS", "REDIS_URL"} <= read
    documented = DEPLOYMENT_DOC.read_text(encoding="utf-8")
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert missing == []

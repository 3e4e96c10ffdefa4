"""The second factor in a real browser: an authenticator app set up from "Profil personnel" (the
secret read off the page, the code computed with pyotp), then a login with it; a passkey
registered with Chromium's virtual authenticator, then a sign-in with it, without the password
and as the second step.

WebAuthn refuses an IP address as relying party: these pages are opened at localhost, and
PORTAL_BASE_URL says so."""

import re
from collections.abc import Callable, Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Passkey, User
from portal.models import AuditEvent, Institution
from tests.conftest import PASSWORD
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_first_use_flow import assert_no_csp_violation, log_in
from tests.factories import activate, make_student, totp_code

LOGIN_LABEL = "Matricule (7 chiffres)"


@pytest.fixture
def gaby(institution: Institution) -> User:
    student = make_student(institution, matricule="2026160", first_name="Gabrielle")
    return activate(student, password=PASSWORD)


@pytest.fixture
def localhost(live_server: LiveServer, settings) -> str:
    url = live_server.url.replace("127.0.0.1", "localhost")
    settings.PORTAL_BASE_URL = url
    return url


@pytest.fixture
def context(browser: Browser, localhost: str) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=localhost, locale="fr-CA")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def tab(context: BrowserContext, console_errors: list[str]) -> Page:
    page = context.new_page()
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    return page


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Quitter").click()
    expect(page.get_by_role("heading", name="Bienvenue au portail")).to_be_visible()


def test_authenticator_app_set_up_then_login_with_its_code(
    tab: Page,
    gaby: User,
    console_errors: list[str],
    screenshot: Callable[[Page, str], None],
) -> None:
    page = tab
    page.goto("/")
    log_in(page, label=LOGIN_LABEL, number=gaby.identifier, password=PASSWORD)
    expect(page.get_by_text("Bienvenue, Gabrielle")).to_be_visible()
    page.goto("/profil/")
    page.get_by_role("link", name="Activer la double authentification").click()

    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_be_visible()
    screenshot(page, "second-factor-setup.png")
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer").click()

    expect(page.get_by_role("heading", name="Codes de récupération")).to_be_visible()
    assert page.locator("[data-recovery-codes] li").count() == 10
    screenshot(page, "second-factor-recovery-codes.png")
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page.get_by_text("Application d'authentification : activée")).to_be_visible()
    log_out(page)

    log_in(page, label=LOGIN_LABEL, number=gaby.identifier, password=PASSWORD)
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    screenshot(page, "second-factor-step.png")
    # Another page does not skip the step.
    page.goto("/accueil/")
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    page.get_by_label("Code à 6 chiffres ou code de récupération").fill(totp_code(gaby))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Bienvenue, Gabrielle")).to_be_visible()
    assert_no_csp_violation(console_errors)


def test_passkey_registered_then_used_instead_of_the_password_and_as_second_step(
    tab: Page,
    context: BrowserContext,
    gaby: User,
    console_errors: list[str],
    screenshot: Callable[[Page, str], None],
) -> None:
    page = tab
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto("/")
    log_in(page, label=LOGIN_LABEL, number=gaby.identifier, password=PASSWORD)
    page.goto("/profil/")
    page.get_by_label("Nom de la clé d'accès").fill("Ordinateur du salon")
    page.get_by_role("button", name="Ajouter une clé d'accès").click()
    expect(
        page.get_by_text("La clé d'accès « Ordinateur du salon » a été ajoutée.")
    ).to_be_visible()
    expect(page.locator("[data-passkey-name]")).to_have_text(["Ordinateur du salon"])
    screenshot(page, "profile-passkeys.png")
    assert Passkey.objects.get(user=gaby).name == "Ordinateur du salon"
    log_out(page)

    # Instead of the password (the passkey's user verification is the second factor).
    page.get_by_role("button", name="Se connecter avec une clé d'accès").click()
    expect(page.get_by_text("Bienvenue, Gabrielle")).to_be_visible()
    assert AuditEvent.objects.filter(
        kind="login.succeeded", subject=gaby, details__passkey=True
    ).exists()
    log_out(page)

    # After the password, a passkey is her second step.
    log_in(page, label=LOGIN_LABEL, number=gaby.identifier, password=PASSWORD)
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    page.get_by_role("button", name="Utiliser une clé d'accès").click()
    expect(page.get_by_text("Bienvenue, Gabrielle")).to_be_visible()
    assert AuditEvent.objects.filter(
        kind="login.succeeded", subject=gaby, details__second_factor="passkey"
    ).exists()
    assert Passkey.objects.get(user=gaby).last_used_at is not None
    assert_no_csp_violation(console_errors)

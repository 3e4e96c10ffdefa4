"""The email-change link is bound to the account as it is when the link is sent: its password
hash and its address (issue 16). A link from before a password change is dead, and a link
forged with the key written in the repository changes nothing."""

import secrets

from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils.crypto import salted_hmac

from accounts.services.profile import EMAIL_CHANGE_SALT
from portal.models import AuditEvent
from tests.accounts.test_first_use import page, url
from tests.accounts.test_profile import (
    NEW_PASSWORD,
    alice_active,  # noqa: F401  (fixture)
    email_change,
    emailed_link,
    logged_in_client,
)
from tests.conftest import PASSWORD

INVALID = "Ce lien n'est plus valide"
CONFIRMED = "Votre courriel a été modifié"


def confirm(token: str):
    return Client().get(reverse("accounts:email_confirm", kwargs={"token": token}), follow=True)


def test_a_link_from_before_a_password_change_is_refused(alice_active, commit):  # noqa: F811
    client = logged_in_client(alice_active.identifier)
    with commit():
        email_change(client, "alice@nouveau.example")
    link = emailed_link(next(m for m in mail.outbox if m.to == ["alice@nouveau.example"]))
    response = client.post(
        url("password_change"),
        {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert INVALID in page(Client().get(link, follow=True))
    alice_active.refresh_from_db()
    assert alice_active.email == "alice@etudiant.example"
    assert not AuditEvent.objects.filter(kind="email.changed").exists()


def test_a_link_forged_with_the_repositorys_key_changes_nothing(alice_active):  # noqa: F811
    assert settings.SECRET_KEY == settings.PORTAL_LOCAL_SECRET_KEY  # the tests' key
    # The old form of the link (account, old and new address), signed with the public key.
    old_form = signing.dumps(
        {"user": alice_active.pk, "old": "alice@etudiant.example", "new": "pirate@example.com"},
        salt=EMAIL_CHANGE_SALT,
    )
    # The new form, with a binding computed without the account's password hash.
    guessed = signing.dumps(
        {
            "user": alice_active.pk,
            "new": "pirate@example.com",
            "bind": salted_hmac(
                EMAIL_CHANGE_SALT, "\x1falice@etudiant.example", algorithm="sha256"
            ).hexdigest(),
        },
        salt=EMAIL_CHANGE_SALT,
    )
    for token in (old_form, guessed):
        assert INVALID in page(confirm(token))
    alice_active.refresh_from_db()
    assert alice_active.email == "alice@etudiant.example"


def test_a_link_signed_with_another_key_is_refused_once_a_real_key_is_set(
    alice_active,  # noqa: F811
    commit,
    settings,
):
    client = logged_in_client(alice_active.identifier)
    with commit():
        email_change(client, "alice@nouveau.example")
    link = emailed_link(next(m for m in mail.outbox if m.to == ["alice@nouveau.example"]))
    # The deployment sets its own key: a link signed with the repository's key is worthless.
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    assert INVALID in page(Client().get(link, follow=True))
    alice_active.refresh_from_db()
    assert alice_active.email == "alice@etudiant.example"


def test_a_genuine_link_still_works(alice_active, commit):  # noqa: F811
    client = logged_in_client(alice_active.identifier)
    with commit():
        email_change(client, "alice@nouveau.example")
    link = emailed_link(next(m for m in mail.outbox if m.to == ["alice@nouveau.example"]))
    assert CONFIRMED in page(Client().get(link, follow=True))
    alice_active.refresh_from_db()
    assert alice_active.email == "alice@nouveau.example"

"""The CAPTCHA everyone can pass: readable characters, the project's widget (alt text, a
"Nouvelle image" button that works without JavaScript, the audio version read by flite), and a
wrong answer that says the security code was wrong."""

import html
import os
import re
import shutil

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from accounts.captcha import READABLE_CHARACTERS, readable_challenge
from accounts.models import FirstUseFlow
from portal.models import AuditEvent
from tests.accounts.test_first_use import identity_data

FIRST_USE = reverse("accounts:first_use")
WRONG = "Le code de sécurité est erroné. Recopiez les caractères de la nouvelle image"


def text(response) -> str:
    return html.unescape(response.content.decode())


def captcha_key(response) -> str:
    return re.search(r'name="captcha_0" value="(\w+)"', text(response))[1]


def test_the_challenge_uses_only_characters_that_cannot_be_confused(settings) -> None:
    settings.CAPTCHA_LENGTH = 5
    for _ in range(200):
        shown, answer = readable_challenge()
        assert len(shown) == 5 and set(shown) <= set(READABLE_CHARACTERS)
        assert answer == shown.lower()
    assert not set("0O1IL5S8B2ZUVGQDC") & set(READABLE_CHARACTERS)


def test_the_form_shows_the_projects_widget(client, alice) -> None:
    page = text(client.get(FIRST_USE))
    assert 'alt="Code de sécurité à recopier' in page
    assert 'alt="captcha"' not in page
    assert re.search(r'<img src="/captcha/image/\w+/" [^>]*width="220" height="70"', page)
    assert re.search(r'<button type="submit" name="nouvelle_image" value="1" formnovalidate', page)
    # The form's first button is a plain submit: Enter never asks for a new image.
    form = page[page.index('<form method="post"') :]
    first_button = re.search(r"<button[^>]*>", form)[0]
    assert "nouvelle_image" not in first_button and 'class="visually-hidden"' in first_button


def test_a_wrong_captcha_says_the_security_code_was_wrong(client, alice, monkeypatch) -> None:
    import captcha.conf.settings

    monkeypatch.setattr(captcha.conf.settings, "CAPTCHA_TEST_MODE", False)
    key = captcha_key(client.get(FIRST_USE))
    response = client.post(FIRST_USE, identity_data(alice, captcha_0=key, captcha_1="WRONG"))
    assert response.status_code == 200
    assert WRONG in text(response)
    assert "ne correspondent pas à nos dossiers" not in text(response)
    assert not FirstUseFlow.objects.exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CAPTCHA_REFUSED).count() == 1
    # The right answer, typed in lower case, passes.
    key = captcha_key(response)
    answer = CaptchaStore.objects.get(hashkey=key).response
    response = client.post(FIRST_USE, identity_data(alice, captcha_0=key, captcha_1=answer))
    assert response.status_code == 302
    assert FirstUseFlow.objects.filter(student=alice).exists()


def test_nouvelle_image_keeps_what_was_typed_and_checks_nothing(client, alice) -> None:
    first = captcha_key(client.get(FIRST_USE))
    data = identity_data(alice, captcha_0=first, captcha_1="")
    response = client.post(FIRST_USE, {**data, "nouvelle_image": "1"})
    page = text(response)
    assert response.status_code == 200
    assert captcha_key(response) != first
    assert f'value="{alice.matricule}"' in page
    assert f'value="{alice.code_permanent}"' in page
    assert "is-invalid" not in page and WRONG not in page
    assert not FirstUseFlow.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CAPTCHA_REFUSED).exists()


def test_the_audio_version_reads_the_characters(client, alice, settings) -> None:
    if not shutil.which("flite"):
        # .ci/run installs it: in CI a missing flite fails, like a missing Chromium.
        reason = "flite is not installed (apt-get install flite)"
        pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)
    settings.CAPTCHA_FLITE_PATH = shutil.which("flite")
    page = text(client.get(FIRST_USE))
    link = re.search(r'href="(/captcha/audio/\w+\.wav)"', page)[1]
    assert "Écouter les caractères" in page
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    sound = b"".join(response.streaming_content)
    assert sound[:4] == b"RIFF" and len(sound) > 10_000

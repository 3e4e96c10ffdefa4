"""Profil personnel names a session's device in words ("Chrome sur Windows"), in both
languages, never the raw User-Agent."""

import pytest
from django.utils import translation

from portal.devices import device_description
from tests.accounts.test_profile import (
    FIREFOX,
    IPHONE,
    PROFILE,
    logged_in_client,
    sessions_section,
)

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EDGE = CHROME_WINDOWS + " Edg/131.0.0.0"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (CHROME_WINDOWS, "Chrome sur Windows"),
        (EDGE, "Edge sur Windows"),
        (ANDROID, "Chrome sur Android"),
        (FIREFOX, "Firefox sur Linux"),
        (IPHONE, "Safari sur iPhone"),
        ("", "Appareil inconnu"),
        ("curl/8.0", "Appareil inconnu"),
    ],
)
def test_device_in_words(agent, words) -> None:
    with translation.override("fr"):
        assert device_description(agent) == words


def test_device_in_english() -> None:
    with translation.override("en"):
        assert device_description(CHROME_WINDOWS) == "Chrome on Windows"


def test_the_sessions_table_names_devices_in_words(bob) -> None:
    client = logged_in_client("2026102", ua=CHROME_WINDOWS)
    section = sessions_section(client.get(PROFILE))
    assert "Chrome sur Windows" in section
    assert "Mozilla/5.0" not in section and "AppleWebKit" not in section

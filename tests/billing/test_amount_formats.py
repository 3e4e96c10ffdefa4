"""Amounts per language: "350,00 $" (non-breaking space) in French, "$350.00" in English."""

# ruff: noqa: F811

from decimal import Decimal

from django.conf import settings
from django.utils import translation

from portal.templatetags.portal_format import money
from tests.billing.test_statement import (  # noqa: F401 (fixtures)
    STATEMENT,
    bob_client,
    tuition,
    visible,
)


def test_money_follows_the_language() -> None:
    with translation.override("fr"):
        assert money(Decimal("325")) == "325,00\N{NO-BREAK SPACE}$"
    with translation.override("en"):
        assert money(Decimal("325")) == "$325.00"
    assert money(None) == ""


def test_the_statement_in_english_writes_dollars_first(bob_client, tuition) -> None:
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible(bob_client.get(STATEMENT))
    assert "$350.00" in text
    assert "350,00 $" not in text
    bob_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "350,00 $" in visible(bob_client.get(STATEMENT))

"""Stripe's side of the payment centre: a local stand-in for its API and the settings that
point the real `stripe` library at it."""

from collections.abc import Iterator

import pytest

from tests.billing.fake_stripe import FakeStripe

STRIPE_SECRET_KEY = "sk_test_portail"
STRIPE_WEBHOOK_SECRET = "whsec_test_portail"


@pytest.fixture(scope="module")
def _stripe_running() -> Iterator[FakeStripe]:
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_server(_stripe_running: FakeStripe) -> FakeStripe:
    """The fake Stripe, emptied for each test: one server per module, no state between tests."""
    _stripe_running.reset()
    return _stripe_running


@pytest.fixture
def stripe_settings(settings, stripe_server: FakeStripe):
    """Stripe configured, as a deployment with keys is: the portal pays through Checkout."""
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    return settings

"""A CEPEO institution (parents' portal on, Ontario's 30 credits) for every parents test."""

from collections.abc import Callable

import pytest

from portal.models import Institution


@pytest.fixture
def cepeo(load_preset: Callable[[str], Institution]) -> Institution:
    return load_preset("cepeo")

"""docs/security.md names, for each protection, the test that proves it: every test it names
exists, so the page cannot drift from the suite."""

import re
from pathlib import Path

from django.conf import settings

DOC = Path(settings.BASE_DIR) / "docs" / "security.md"
TESTS = Path(settings.BASE_DIR) / "tests"


def named_tests() -> list[tuple[str, str]]:
    """(file, test) pairs: `dir/file.py::test_a` and the `::test_b` that follow it in a cell."""
    pairs = []
    for cell in DOC.read_text(encoding="utf-8").split("|"):
        current = None
        for file, name in re.findall(r"`(?:([\w/]+\.py))?::(test_\w+)`", cell):
            current = file or current
            assert current, f"::{name} without a file before it"
            pairs.append((current, name))
    return pairs


def test_every_test_the_security_page_names_exists():
    pairs = named_tests()
    assert len(pairs) > 60
    missing = []
    for file, name in pairs:
        path = TESTS / file
        if not path.exists() or not re.search(
            rf"^def {name}\(", path.read_text(encoding="utf-8"), re.M
        ):
            missing.append(f"{file}::{name}")
    assert missing == []

"""The commands the README's deployment steps and docs/operations.md tell an IT person to run
exist, and the README no longer needs `createcachetable`."""

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]


def commands_in(text: str) -> set[str]:
    return set(re.findall(r"(?:portail-manage|\.venv/bin/portail|bin/portail) ([a-z_]+)", text))


def test_the_readme_deployment_commands_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Deployment") : readme.index("## Layout")]
    named = commands_in(section)
    assert {"migrate", "collectstatic", "db_worker", "createsuperuser"} <= named
    assert named <= set(get_commands())
    assert "createcachetable" not in readme


def test_the_scheduled_jobs_exist():
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    named = commands_in(operations) | set(re.findall(r"portail-job@([a-z_]+)\.timer", operations))
    assert {"send_invoice_reminders", "purge_expired", "prune_db_task_results"} <= named
    assert named <= set(get_commands())

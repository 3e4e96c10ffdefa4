"""A portal served to the public never runs on the secret key written in the repository, and
never with the CAPTCHA's test mode (issue 16). Each case runs in a process of its own, under the
production environment docs/deployment.md documents."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.portal.test_hardening import BASE_DIR, documented_environment

CHECK_DEPLOY = ("manage.py", "check", "--deploy", "--fail-level", "WARNING")


def run(environment: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **environment,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def without_key() -> dict[str, str]:
    environment = documented_environment()
    environment.pop("DJANGO_SECRET_KEY")
    return environment


def test_check_deploy_fails_without_a_secret_key(without_key, tmp_path):
    result = run(without_key, tmp_path, *CHECK_DEPLOY)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "portal.E001" in output
    assert "DJANGO_SECRET_KEY n'est pas défini" in output


def test_a_public_host_without_https_still_needs_the_key(tmp_path):
    # Not even --deploy: `check` (and so runserver and migrate) refuses outside localhost.
    result = run({"DJANGO_ALLOWED_HOSTS": "portail.cegep.example"}, tmp_path, "manage.py", "check")
    assert result.returncode != 0
    assert "portal.E001" in result.stdout + result.stderr
    result = run({"PORTAL_HTTPS": "1"}, tmp_path, "manage.py", "check")
    assert result.returncode != 0
    assert "portal.E001" in result.stdout + result.stderr


def test_a_laptop_runs_without_a_key(tmp_path):
    result = run({}, tmp_path, "manage.py", "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_refuses_to_load_the_application_without_the_key(without_key, tmp_path):
    environment = {**without_key, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = run(environment, tmp_path, "-c", "import portal.wsgi")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr
    # With its own key, the same environment loads.
    result = run(
        {**environment, "DJANGO_SECRET_KEY": secrets.token_urlsafe(64)},
        tmp_path,
        "-c",
        "import portal.wsgi",
    )
    assert result.returncode == 0, result.stderr


def test_captcha_test_mode_fails_check_deploy(without_key, tmp_path):
    environment = {
        **without_key,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "PORTAL_CAPTCHA_TEST_MODE": "1",
    }
    result = run(environment, tmp_path, *CHECK_DEPLOY)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "portal.E002" in output
    assert "portal.E001" not in output

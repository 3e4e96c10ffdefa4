"""`pip install .` gets everything: the wheel built from this tree holds every Python package of
the repository, every app's migrations, the templates, static files and compiled translations,
and the `portail` command. (.ci/run installs it in a fresh environment and serves pages from it:
scripts/check-clean-install.)"""

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "var", "build", "dist", "tests", "node_modules", "__pycache__"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Built from a copy: an in-tree build would leave build/ and *.egg-info in the checkout.
    source = tmp_path_factory.mktemp("source") / "portail"
    shutil.copytree(
        ROOT,
        source,
        ignore=lambda folder, names: [
            name for name in names if name in SKIP or name.endswith(".egg-info")
        ],
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("portail-*.whl")
    return zipfile.ZipFile(built)


def source_files(folder: str) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".tmp")
    }


def test_every_python_package_of_the_repository_is_in_the_wheel(wheel):
    names = set(wheel.namelist())
    packages = [
        init.parent.relative_to(ROOT).as_posix()
        for init in ROOT.rglob("__init__.py")
        if not (set(init.relative_to(ROOT).parts) & SKIP)
    ]
    assert "messaging" in packages
    missing = [package for package in packages if f"{package}/__init__.py" not in names]
    assert missing == []


def test_every_local_apps_migrations_are_in_the_wheel(wheel):
    names = set(wheel.namelist())
    local = [config for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
    assert {config.name for config in local} >= {
        "portal",
        "accounts",
        "students",
        "billing",
        "messaging",
        "parents",
    }
    for config in local:
        migrations = {
            path.relative_to(ROOT).as_posix()
            for path in (Path(config.path) / "migrations").glob("*.py")
        }
        assert migrations, config.name
        assert migrations <= names, config.name


@pytest.mark.parametrize("folder", ["templates", "jinja2", "static", "locale"])
def test_templates_static_files_and_translations_are_in_the_wheel(wheel, folder):
    names = set(wheel.namelist())
    expected = {f"portal/site/{name}" for name in source_files(folder)}
    assert expected
    assert expected - names == set()


def test_the_compiled_translation_and_key_pages_are_there(wheel):
    names = set(wheel.namelist())
    assert "portal/site/locale/en/LC_MESSAGES/django.mo" in names
    assert "portal/site/templates/base.html" in names
    assert "portal/site/jinja2/_shell.html" in names
    assert "portal/site/static/css/portal.css" in names


def test_the_wheel_declares_the_portail_command(wheel):
    (entry_points,) = [name for name in wheel.namelist() if name.endswith("entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert parser["console_scripts"]["portail"] == "portal.cli:main"

"""The wheel carries the site's templates, static files and translations inside the `portal`
package (portal/site/), copied from the top of the source tree at build time, so that an
installed portal finds them without a checkout. Everything else is in pyproject.toml.
See docs/decisions/0009-site-files-in-the-wheel.md."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SITE_FOLDERS = ("templates", "jinja2", "static", "locale")


class BuildWithSiteFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them where they are
        target = Path(self.build_lib) / "portal" / "site"
        for folder in SITE_FOLDERS:
            shutil.copytree(
                ROOT / folder,
                target / folder,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.mo.tmp", "*~"),
            )


setup(cmdclass={"build_py": BuildWithSiteFiles})

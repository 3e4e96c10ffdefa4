"""Screenshots of the key pages at a phone's width (390 px) and a desktop's (1280 px), into
docs/screenshots/, for the README and reviews. Refresh them after a layout change:

    make run        # or: python manage.py demo && python manage.py runserver
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000

It logs in as the demo's people (README, "The demo"): student 2026001 and the parent
mireille.lalonde@parents.example. Needs Chromium (/usr/bin/chromium) and Playwright.
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
STUDENT = ("2026001", "Portail-Demo-2026")
PARENT = ("mireille.lalonde@parents.example", "Parents-Demo-2026")
STUDENT_PAGES = {
    "home": "/accueil/",
    "final-grades": "/notes-finales/HIV-2026/",
    "marks": "/resultats/",
    "statement": "/paiement/",
    "schedule": "/horaire/",
}


def student_login(page: Page, base: str) -> None:
    page.goto(base + "/")
    region = page.get_by_role("region", name="Étudiants")
    region.get_by_label(re.compile("Matricule")).fill(STUDENT[0])
    region.get_by_label("Mot de passe").fill(STUDENT[1])
    region.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def parent_login(page: Page, base: str) -> None:
    page.goto(base + "/parents/")
    page.get_by_label("Courriel").fill(PARENT[0])
    page.get_by_label(re.compile(r"^\s*Mot de passe\W*$")).fill(PARENT[1])
    page.get_by_role("button", name="Valider", exact=True).click()
    page.wait_for_load_state()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    base = parser.parse_args().base_url.rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=parser.parse_args().chromium, args=["--no-sandbox"]
        )
        for width_name, viewport in WIDTHS.items():
            context = browser.new_context(viewport=viewport, locale="fr-CA")
            page = context.new_page()
            student_login(page, base)
            for name, path in STUDENT_PAGES.items():
                page.goto(base + path)
                page.screenshot(path=str(OUT / f"{name}-{width_name}.png"), full_page=True)
            context.close()
            context = browser.new_context(viewport=viewport, locale="fr-CA")
            page = context.new_page()
            parent_login(page, base)
            page.screenshot(path=str(OUT / f"parent-home-{width_name}.png"), full_page=True)
            child = re.compile("^Horaire, assiduité et crédits")
            page.get_by_role("link", name=child).first.click()
            page.screenshot(path=str(OUT / f"parent-child-{width_name}.png"), full_page=True)
            context.close()
        browser.close()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main()

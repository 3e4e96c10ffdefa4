"""A browser's User-Agent in words: "Chrome sur Windows", "Safari sur iPhone"."""

import re

from django.utils.translation import gettext as _

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
)
_SYSTEMS = (
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"CrOS", "ChromeOS"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"Linux", "Linux"),
)


def _first(patterns: tuple[tuple[str, str], ...], agent: str) -> str:
    return next((name for pattern, name in patterns if re.search(pattern, agent)), "")


def device_description(agent: str) -> str:
    """The browser and system named in words; "Appareil inconnu" when neither is known."""
    browser, system = _first(_BROWSERS, agent or ""), _first(_SYSTEMS, agent or "")
    if browser and system:
        return _("%(browser)s sur %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Appareil inconnu")

"""What every browser test can check on a page it visits: axe-core's WCAG 2.1 A/AA rules, and
that nothing scrolls sideways at the width of a phone.

axe-core is vendored (tests/e2e/vendor/axe-core/axe.min.js, MPL-2.0, from the npm package): no
CDN at run time. It is evaluated through the DevTools protocol, which the page's strict CSP
does not govern, so the page itself runs exactly as users get it.
"""

import hashlib
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""

_SIDEWAYS = """() => [...document.querySelectorAll("body *")]
  .filter((e) => {
    const o = getComputedStyle(e).overflowX;
    return (o === "auto" || o === "scroll") && e.scrollWidth > e.clientWidth + 1;
  })
  .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`)"""


# What axe reads: the document (hidden inputs' values aside: CSRF tokens and CAPTCHA keys
# change on every load and nothing shows them), which element has the focus, and the width.
_FINGERPRINT = """() => {
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll("input[type=hidden]").forEach((input) => input.removeAttribute("value"));
  const active = document.activeElement;
  const focus = active ? `${active.tagName}#${active.id}.${active.className}` : "";
  return `${window.innerWidth}|${focus}|${copy.outerHTML}`;
}"""

# Pages already found clean in this test session, by fingerprint: the same document at the
# same width gives axe the same answer, so the many tests that pass through the same page (the
# login page, a home page) pay for it once. A page with violations is never remembered.
_CLEAN: set[str] = set()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now. The mouse is moved
    away first so that a hover state caught mid-transition is not read as low contrast."""
    page.mouse.move(0, 0)
    fingerprint = hashlib.sha256(page.evaluate(_FINGERPRINT).encode()).hexdigest()
    if fingerprint in _CLEAN:
        return []
    page.wait_for_timeout(200)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    violations = page.evaluate(_RUN, WCAG_TAGS)
    if not violations:
        _CLEAN.add(fingerprint)
    return violations


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def assert_no_sideways_scroll(page: Page) -> None:
    """Neither the page nor any box in it (a table's wrapper...) scrolls sideways."""
    width = page.viewport_size["width"]
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"{page.url}: the page is {page_width} px wide"
    assert page.evaluate(_SIDEWAYS) == [], f"{page.url}: boxes scroll sideways"


def assert_inside_viewport(page: Page, text: str) -> None:
    """The first visible element showing `text` lies within the viewport's width."""
    box = page.get_by_text(text, exact=False).first.bounding_box()
    assert box is not None, f"{text!r} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 0.5, (
        f"{text!r} is outside the viewport: {box}"
    )


_CELLS_OUTSIDE = """(width) => [...document.querySelectorAll("main td, main th")]
  .filter((cell) => cell.getClientRects().length > 0)
  .filter((cell) => {
    const head = cell.closest("thead");
    return !head || head.getBoundingClientRect().width > 1;
  })
  .filter((cell) => {
    const r = cell.getBoundingClientRect();
    return r.left < -0.5 || r.right > width + 0.5;
  })
  .map((cell) => cell.textContent.trim().slice(0, 40))"""


def assert_cells_inside_viewport(page: Page) -> None:
    """Every table cell shown in the page's main content lies within the viewport's width (a
    stacked table's headers, visually hidden for screen readers, excepted)."""
    outside = page.evaluate(_CELLS_OUTSIDE, page.viewport_size["width"])
    assert outside == [], f"{page.url}: cells outside the viewport: {outside}"


# --- Every page a browser test visits ---------------------------------------------------------

# The page's methods through which a test reaches the page it is on: before any of them runs, a
# page that loaded since the last check is checked. What the test does next (a click, a fill)
# then acts on a page axe has seen; the last page is checked when the test ends.
_WATCHED = (
    "goto", "reload", "go_back", "go_forward", "click", "fill", "press", "check",
    "select_option", "get_by_role", "get_by_label", "get_by_text", "get_by_test_id",
    "get_by_placeholder", "get_by_alt_text", "get_by_title", "locator", "content",
    "screenshot", "pdf", "title", "inner_text", "text_content", "wait_for_url",
    "set_viewport_size",
)  # fmt: skip


class PageWatch:
    """axe-core on every page a test's browser loads, at the test's width and at the other one
    (phone ↔ desktop): a violation fails the test at its next step on that page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pending = False
        self.checked: list[str] = []
        self._originals = {name: getattr(page, name) for name in _WATCHED}
        page.on("load", self._loaded)
        for name, method in self._originals.items():
            setattr(page, name, self._before(method))

    def _loaded(self, _page: Page) -> None:
        self.pending = True

    def _before(self, method):
        def watched(*args, **kwargs):
            self.check_pending()
            return method(*args, **kwargs)

        return watched

    def check_pending(self) -> None:
        if not self.pending or self.page.is_closed():
            return
        url = self.page.url
        if not url.startswith("http") or url.endswith(".pdf"):
            self.pending = False
            return
        self.pending = False
        try:
            size = dict(self.page.viewport_size)
            other = PHONE if size["width"] > PHONE["width"] else DESKTOP
            violations = {f"{size['width']} px": axe_violations(self.page)}
            self._originals["set_viewport_size"](other)
            violations[f"{other['width']} px"] = axe_violations(self.page)
            self._originals["set_viewport_size"](size)
        except Exception as error:
            # The page went away (the test clicked on): the next page is checked instead.
            if "context was destroyed" in str(error) or "navigat" in str(error):
                return
            raise
        self.checked.append(url)
        found = {width: found for width, found in violations.items() if found}
        assert not found, f"{url}: axe-core (WCAG 2.1 A/AA): {found}"

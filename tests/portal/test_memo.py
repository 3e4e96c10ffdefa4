"""portal.memo.RenderedMemo: rendered once per key, the oldest dropped past its size."""

from django.utils.safestring import mark_safe

from portal.memo import RenderedMemo


def test_each_key_is_rendered_once_and_the_oldest_goes_first():
    memo = RenderedMemo(2)
    rendered = []

    def render(text):
        def run():
            rendered.append(text)
            return mark_safe(f"<p>{text}</p>")

        return run

    assert memo.get("a", render("a")) == "<p>a</p>"
    assert memo.get("a", render("a")) == "<p>a</p>"
    memo.get("b", render("b"))
    memo.get("a", render("a"))  # used last: "b" is now the oldest
    memo.get("c", render("c"))
    assert rendered == ["a", "b", "c"] and len(memo) == 2
    memo.get("b", render("b"))  # dropped, rendered again
    assert rendered == ["a", "b", "c", "b"]
    memo.clear()
    assert len(memo) == 0

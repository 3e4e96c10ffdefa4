"""base.html's static files and links are worked out once per process
(portal.context_processors.shell_links): each is what `{% static %}` / `{% url %}` would give,
and a change of the settings they depend on shows on the next page."""

import pytest
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse

from portal import context_processors
from tests.accounts.test_first_use import page
from tests.accounts.test_login import student_login

HOME = reverse("portal:home")


@pytest.fixture
def home(client, bob):
    student_login(client, "2026102")

    def read() -> str:
        response = client.get(HOME)
        assert response.status_code == 200
        return page(response)

    return read


def test_links_are_those_static_and_url_give(home):
    text = home()
    for path in context_processors._STATIC.values():
        assert f'"{static(path)}"' in text
    for name in ("portal:home", "accounts:logout", "accounts:session_ping", "set_language"):
        assert f'"{reverse(name)}"' in text


def test_links_are_kept_between_requests(home):
    home()
    assert context_processors._shells
    kept = context_processors.shell_links()
    assert context_processors.shell_links() is kept


def test_a_new_static_url_shows_on_the_next_page(home):
    assert '"/static/css/portal.css"' in home()
    with override_settings(STATIC_URL="/autre-static/"):
        text = home()
        assert '"/autre-static/css/portal.css"' in text
        assert '"/static/css/portal.css"' not in text
    assert '"/static/css/portal.css"' in home()


def test_logged_out_pages_link_to_the_login(client, institution):
    response = client.get(reverse("accounts:login"))
    text = page(response)
    assert f'class="navbar-brand fw-semibold" href="{reverse("accounts:login")}"' in text

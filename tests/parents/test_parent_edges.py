"""Where the parents' portal meets the rest of the accounts: a parent's activation link is no
key to the employees' activation page, and an expired parent session ends on the parents' login."""

from django.urls import reverse

from accounts.models import User
from tests.accounts.test_first_use import page
from tests.parents.test_signup import activation_path, emailed_path  # noqa: F401
from tests.parents.test_signup import family  # noqa: F401 - fixture

EMPLOYEE_ACTIVATION_PREFIX = "/activer/"


def test_a_parents_link_is_refused_by_the_employees_activation_page(client, family, commit):
    path = activation_path(client, family, commit=commit)
    assert path.startswith("/parents/activer/")
    forged = path.removeprefix("/parents")
    response = client.get(forged, follow=True)
    assert "Ce lien n'est plus valide" in page(response) or "plus valide" in page(response)
    assert 'name="password1"' not in page(response)
    parent = User.objects.get(audience=User.Audience.PARENT)
    assert not parent.has_usable_password()


def test_an_expired_parent_session_goes_back_to_the_parents_login(client, cepeo):
    from tests.parents.factories import make_parent

    client.force_login(make_parent("expire@example.com"))
    home = reverse("parents:home")
    assert client.get(home).status_code == 200
    session = client.session
    session["_portal_seen"] -= 31 * 60
    session.save()
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("parents:login") + "?next=")

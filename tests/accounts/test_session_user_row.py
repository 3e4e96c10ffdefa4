"""The session's row is read with its user (one query, accounts.session_store): the backend
takes that user only for the same id, in the same request, and Django's checks still run on
it (an account disabled or a password changed elsewhere ends the session at the next page)."""

from django.contrib.auth.models import AnonymousUser
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import AudienceBackend
from accounts.models import User
from accounts.session_store import _session_user, take_session_user
from tests.accounts.test_login import student_login

HOME = reverse("portal:home")
PROFILE = reverse("accounts:profile")


def test_one_query_reads_the_session_and_its_user(client, bob):
    student_login(client, "2026102")
    client.get(PROFILE)
    with CaptureQueriesContext(connection) as context:
        assert client.get(PROFILE).status_code == 200
    sql = [q["sql"] for q in context.captured_queries]
    reads = [q for q in sql if '"accounts_usersession"."session_key" = ' in q]
    users = [q for q in sql if q.startswith('SELECT "accounts_user"."id"')]
    assert len(reads) == 1 and 'JOIN "accounts_user"' in reads[0] and users == []


def test_a_disabled_account_is_logged_out_at_the_next_page(client, bob):
    student_login(client, "2026102")
    assert client.get(HOME).status_code == 200
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert client.get(HOME).status_code == 302


def test_a_password_changed_elsewhere_ends_the_session(client, bob):
    student_login(client, "2026102")
    assert client.get(HOME).status_code == 200
    bob.set_password("Un-Autre-Mot-De-Passe-2026")
    bob.save()
    response = client.get(HOME)
    assert response.status_code == 302
    assert isinstance(response.wsgi_request.user, AnonymousUser)


def test_the_user_read_with_the_session_serves_only_its_id_and_once(bob):
    _session_user.set((bob.pk, bob))
    assert take_session_user(bob.pk + 1) is None
    assert take_session_user(bob.pk) is bob
    assert take_session_user(bob.pk) is None  # taken
    # Without it, the backend reads the user itself.
    assert AudienceBackend().get_user(bob.pk) == bob


def test_a_new_request_forgets_the_previous_requests_user(bob):
    _session_user.set((bob.pk, bob))
    # Django also closes old database connections when a request starts: kept out here, the
    # test's transaction holds the connection.
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
    assert take_session_user(bob.pk) is None

"""What the portal keeps between requests (portal/versions.py) is never stale: after any write,
the very next request shows it, whichever app server made the write. Each test reads a page
once (so the copy is kept), writes, then reads it again."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from messaging.models import Event, NewsItem
from portal import selectors
from portal.models import Institution, School
from portal.selectors import institution_current, school_main
from portal.versions import versions_read
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

    read()
    return read


def test_institution_kept_while_its_version_holds(institution, django_assert_num_queries):
    institution_current()
    version = versions_read(["institution"])["institution"]
    with django_assert_num_queries(1):  # the version, not the row
        kept = institution_current()
    assert kept.pk == institution.pk
    assert versions_read(["institution"])["institution"] == version


def test_each_caller_gets_its_own_copy(institution):
    first = institution_current()
    first.name = "Changé sans enregistrer"
    assert institution_current().name == institution.name


def test_institution_save_shows_on_next_request(home, institution):
    institution.short_name = "Cégep renommé"
    institution.save()
    assert "Cégep renommé" in home()


def test_institution_queryset_update_shows_on_next_request(home, institution):
    Institution.objects.filter(pk=institution.pk).update(phone="450 555-0199")
    assert "450 555-0199" in home()


def test_module_disabled_leaves_the_menu_on_next_request(home, institution):
    assert 'href="/bibliotheque/"' in home()
    institution.enabled_modules = [m for m in institution.enabled_modules if m != "library"]
    institution.save()
    assert 'href="/bibliotheque/"' not in home()


def test_cache_cleared_reloads(home, institution):
    Institution.objects.filter(pk=institution.pk).update(phone="450 555-0111")
    cache.clear()
    assert "450 555-0111" in home()


def test_another_server_write_seen_through_the_shared_version(home, institution):
    # Another app server wrote the row and bumped the shared version: this process's copy,
    # read under the old version, is not used any more.
    Institution.objects.filter(pk=institution.pk).update(phone="450 555-0122")
    assert selectors._kept["version"] != versions_read(["institution"])["institution"]
    assert "450 555-0122" in home()


def test_new_event_shows_on_next_request(home):
    today = timezone.localdate()
    Event.objects.create(title="Soirée des finissants", date=today)
    assert "Soirée des finissants" in home()


def test_event_deleted_leaves_on_next_request(home):
    today = timezone.localdate()
    Event.objects.create(title="Atelier annulé", date=today)
    assert "Atelier annulé" in home()
    Event.objects.filter(title="Atelier annulé").delete()
    assert "Atelier annulé" not in home()


def test_event_renamed_by_update_shows_on_next_request(home):
    event = Event.objects.create(title="Ancien titre", date=timezone.localdate())
    home()
    Event.objects.filter(pk=event.pk).update(title="Nouveau titre")
    assert "Nouveau titre" in home()


def test_new_news_shows_on_next_request(home):
    NewsItem.objects.create(
        title="Nouvelle cafétéria", body="Ouverte dès lundi.", published_on=timezone.localdate()
    )
    assert "Nouvelle cafétéria" in home()


def test_school_renamed_shows_in_news_on_next_request(home, institution):
    school = school_main(institution)
    NewsItem.objects.create(
        title="Portes ouvertes",
        body="Bienvenue.",
        school=school,
        published_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert "Portes ouvertes" in home()
    School.objects.filter(pk=school.pk).update(name="Campus renommé")
    assert "Campus renommé" in home()


def test_calendar_follows_the_day(home, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    Event.objects.create(title="Demain", date=tomorrow)
    home()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert 'aria-current="date">' + str(tomorrow.day) in home()

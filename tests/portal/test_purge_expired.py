"""`purge_expired` (and Django's own `clearsessions`) delete what expired, and only that."""

import datetime
import io

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import FirstUseFlow, UserSession


def purge() -> str:
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


def test_expired_and_finished_first_use_flows_go_live_ones_stay(alice):
    now = timezone.now()
    live = FirstUseFlow.objects.create(student=alice, expires_at=now + datetime.timedelta(hours=1))
    expired = FirstUseFlow.objects.create(student=alice, expires_at=now - datetime.timedelta(1))
    finished_yesterday = FirstUseFlow.objects.create(
        student=alice,
        expires_at=now + datetime.timedelta(hours=1),
        completed_at=now - datetime.timedelta(days=2),
    )

    assert "Deleted 2 first-use flow(s)" in purge()

    remaining = set(FirstUseFlow.objects.values_list("pk", flat=True))
    assert remaining == {live.pk}
    assert expired.pk not in remaining and finished_yesterday.pk not in remaining


def _session(key: str, expires_in: datetime.timedelta, user=None) -> UserSession:
    return UserSession.objects.create(
        session_key=key, session_data="", expire_date=timezone.now() + expires_in, user=user
    )


def test_expired_sessions_go_open_ones_stay(bob):
    _session("a" * 32, datetime.timedelta(hours=2), user=bob)
    _session("b" * 32, -datetime.timedelta(minutes=1), user=bob)

    assert "1 session(s)" in purge()
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["a" * 32]


def test_djangos_clearsessions_works_on_the_portals_session_store(bob):
    _session("c" * 32, datetime.timedelta(hours=2), user=bob)
    _session("d" * 32, -datetime.timedelta(minutes=1))

    call_command("clearsessions")

    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["c" * 32]


def test_expired_database_cache_entries_go_live_ones_stay(db):
    cache.set("throttle-live", 3, timeout=600)
    cache.set("throttle-old", 5, timeout=600)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE portal_cache SET expires = %s WHERE cache_key LIKE %s",
            [
                connection.ops.adapt_datetimefield_value(
                    timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
                ),
                "%throttle-old",
            ],
        )

    assert "1 cache entry" in purge()

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM portal_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 1 and keys[0].endswith("throttle-live")
    assert cache.get("throttle-live") == 3

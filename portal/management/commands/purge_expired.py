"""Daily housekeeping: deletes what has expired and serves no one any more.

- first-use flows past their lifetime, and finished ones a day after they finished;
- sessions past their expiry (what Django's `clearsessions` does, on accounts.UserSession);
- entries of the database cache past their expiry (throttle counts and lockouts that ran out):
  Django's database cache only culls them when it holds more than MAX_ENTRIES.

Reset and activation links hold no state on the server (signed, timestamped tokens), so there is
nothing of theirs to purge; they stop working by themselves when their lifetime passes.
"""

import datetime
import importlib
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management.base import BaseCommand
from django.db import connections, router
from django.db.models import Q
from django.utils import timezone

from accounts.models import FirstUseFlow

FINISHED_FLOW_KEPT = datetime.timedelta(days=1)


def first_use_flows_purge(now: datetime.datetime) -> int:
    deleted, _ = FirstUseFlow.objects.filter(
        Q(expires_at__lt=now) | Q(completed_at__lt=now - FINISHED_FLOW_KEPT)
    ).delete()
    return deleted


def sessions_purge(now: datetime.datetime) -> int:
    store: type[SessionBase] = importlib.import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    count = model.objects.filter(expire_date__lt=now).count()
    store.clear_expired()
    return count


def database_cache_purge(now: datetime.datetime) -> int:
    deleted = 0
    for alias in settings.CACHES:
        cache = caches[alias]
        if not isinstance(cache, DatabaseCache):
            continue
        database = router.db_for_write(cache.cache_model_class)
        connection = connections[database]
        table = connection.ops.quote_name(cache._table)
        expired = connection.ops.adapt_datetimefield_value(now.replace(microsecond=0))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [expired])  # noqa: S608
            deleted += cursor.rowcount
    return deleted


class Command(BaseCommand):
    help = "Deletes expired first-use flows, sessions and database-cache entries."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        flows = first_use_flows_purge(now)
        sessions = sessions_purge(now)
        entries = database_cache_purge(now)
        self.stdout.write(
            f"Deleted {flows} first-use flow(s), {sessions} session(s), "
            f"{entries} cache entr{'y' if entries == 1 else 'ies'}."
        )

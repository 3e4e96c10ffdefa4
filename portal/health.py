"""`/sante/` (alias `/health/`) for load balancers and monitoring.

Answered by a middleware placed before the security, session and institution middlewares, so
the probe creates no session, reads no person, needs no allowed Host (a probe by IP address
works) and is never redirected to HTTPS; and so a database that is down yields a 503 from here
rather than a 500 from a middleware that needed it. The body says which part failed, nothing
more: {"database": "ok", "cache": "ok", "tasks": "ok"}.
"""

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger("portal.health")

HEALTH_PATHS = frozenset({"/sante/", "/health/"})


def database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def cache_answers() -> bool:
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    answered = cache.get(key) == value
    cache.delete(key)
    return answered


def task_queue_answers() -> bool:
    """The queue the portal enqueues to: its table, or Redis; the immediate backend has none."""
    backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__module__
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(status="READY").exists()
        return True
    if backend.startswith("django_tasks_rq"):
        import django_rq

        return bool(django_rq.get_connection("default").ping())
    return True


CHECKS: dict[str, Callable[[], bool]] = {
    "database": database_answers,
    "cache": cache_answers,
    "tasks": task_queue_answers,
}


def health_report() -> tuple[dict[str, str], bool]:
    report = {}
    for name, check in CHECKS.items():
        try:
            answered = check()
        except Exception as error:
            logger.warning("Health check %s failed: %s", name, type(error).__name__)
            answered = False
        report[name] = "ok" if answered else "error"
    return report, all(state == "ok" for state in report.values())


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in HEALTH_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        report, healthy = health_report()
        response = JsonResponse(report, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

"""Background tasks through Django's own tasks framework (`django.tasks`), retried with backoff.

Neither django-tasks-db nor django-tasks-rq retries a task that raised: the failed result is
kept (the admin's "Task results" list shows it with its traceback) and that is all. A task
declared with `@retried_task` is enqueued again, as a new result, `run_after` 1, 2, 4...
minutes later (PORTAL_TASK_RETRY_DELAY doubles each time) until PORTAL_TASK_MAX_ATTEMPTS
attempts have failed. The attempt number travels in the task's own keyword arguments, so every
attempt is a row staff can read. Arguments are JSON: ids and strings, never model objects.
"""

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.tasks import Task, TaskContext, task
from django.utils import timezone

logger = logging.getLogger("portal.tasks")


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long after the failed attempt number `attempt` the next one may start."""
    return datetime.timedelta(seconds=settings.PORTAL_TASK_RETRY_DELAY * 2 ** (attempt - 1))


def _enqueue_retry(
    context: TaskContext, args: tuple, kwargs: dict[str, Any], attempt: int, error: Exception
) -> None:
    current = context.task_result.task
    if attempt >= settings.PORTAL_TASK_MAX_ATTEMPTS:
        logger.error("Task %s failed for good after %d attempts: %r", current.name, attempt, error)
        return
    backend = current.get_backend()
    again = current.using(run_after=timezone.now() + retry_delay(attempt))
    if not backend.supports_defer:  # the immediate backend runs the retry at once
        again = current.using(run_after=None)
    logger.warning(
        "Task %s failed (attempt %d of %d): %r; retried later",
        current.name,
        attempt,
        settings.PORTAL_TASK_MAX_ATTEMPTS,
        error,
    )
    again.enqueue(*args, attempt=attempt + 1, **kwargs)


def retried_task(**options: Any) -> Callable[[Callable[..., Any]], Task]:
    """`@task`, plus a retry with backoff when the function raises."""

    def decorate(function: Callable[..., Any]) -> Task:
        def run(context: TaskContext, *args: Any, attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except Exception as error:
                _enqueue_retry(context, args, kwargs, attempt, error)
                raise

        # The task's path must name the module-level Task (the worker imports it by name);
        # no __wrapped__, or Django would read `function`'s signature instead of `run`'s.
        run.__module__ = function.__module__
        run.__name__ = function.__name__
        run.__qualname__ = function.__qualname__
        run.__doc__ = function.__doc__
        return task(takes_context=True, **options)(run)

    return decorate

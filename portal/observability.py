"""Request ids and log records a log collector can read.

Every request gets an id: the load balancer's `X-Request-ID` when it looks like one (8 to 128
letters, digits, dots, dashes, underscores), a new UUID otherwise. It is echoed in the response's
`X-Request-ID` header and added to every log record written while the request runs (the
`RequestIdFilter` of the console handler), so the proxy's, gunicorn's and the portal's lines of
one request can be matched. One line per request goes to the `portal.requests` logger with the
URL *pattern*, never the path itself: reset and activation links carry tokens in their path.

PORTAL_LOG_FORMAT=json writes one JSON object per line instead of plain text.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._-]{8,128}")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

access_log = logging.getLogger("portal.requests")


def request_id_current() -> str:
    """The id of the request being served, "-" outside a request (a worker, a command)."""
    return _current.get()


class RequestIdMiddleware:
    """First in MIDDLEWARE: sets request.id, echoes it, logs one line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.id = incoming if _SANE.fullmatch(incoming) else uuid.uuid4().hex  # type: ignore[attr-defined]
        # Kept until the response is closed (request_finished), so that Django's own
        # "django.request" lines about a 4xx/5xx, written after the middlewares, carry it too.
        _current.set(request.id)  # type: ignore[attr-defined]
        started = time.monotonic()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.id  # type: ignore[attr-defined]
        match = request.resolver_match
        access_log.info(
            "%s %s %s %.1fms",
            request.method,
            f"/{match.route}" if match is not None else "-",
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response


@receiver(request_finished)
def _request_id_forget(**kwargs: Any) -> None:
    _current.set("-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the handler's formatter can then print it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_current()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_current()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = time.gmtime(record.created)
        return time.strftime("%Y-%m-%dT%H:%M:%S", moment) + f".{int(record.msecs):03d}Z"

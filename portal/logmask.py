"""No emailed token in any log. The secret part of a link (reset, activation, email change,
parent account) is replaced by asterisks in every log line: Django's request logs ("Internal
Server Error: <path>", "Not Found: <path>"), runserver's, and gunicorn's access and error logs
(portal.gunicorn_logging). The routes are found in the URL configuration itself: any path with
a `<token>` or `<uidb64>` part is masked, so a new link route is covered without a list to keep."""

import functools
import logging
import re

TOKEN_PARAMS = frozenset({"token", "uidb64"})
MASK = "********"
# One path segment as it may appear in a log line: stops at a slash, a query, a space or a quote.
SEGMENT = r"[^/?#\s\"'<>]+"


def _route_regex(route: str) -> tuple[re.Pattern[str], frozenset[int]]:
    """The route's regex, every part captured, and the group numbers that hold a token."""
    parts = re.split(r"<(?:\w+:)?(\w+)>", route)
    regex, masked = "", set()
    for index, part in enumerate(parts):
        if index == len(parts) - 1 and part == "/":
            # Without its last slash too: CommonMiddleware redirects it, and it is logged.
            regex += "(/?)"
        elif index % 2 == 0:
            regex += f"({re.escape(part)})"
        else:
            regex += f"({SEGMENT})"
            if part in TOKEN_PARAMS:
                masked.add(index + 1)
    return re.compile(regex), frozenset(masked)


def token_routes() -> list[str]:
    """Every route of the URL configuration that carries a token, as
    "/parents/activer/<uidb64>/<token>/"."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    found = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern):
                continue
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif TOKEN_PARAMS & set(entry.pattern.converters):
                found.append(route)

    walk(get_resolver().url_patterns, "/")
    return found


@functools.cache
def _regexes() -> tuple[tuple[re.Pattern[str], frozenset[int]], ...]:
    return tuple(_route_regex(route) for route in token_routes())


def mask_tokens(text: str) -> str:
    """The text with the token parts of link paths replaced by asterisks. Before Django is set
    up (gunicorn's master process) there is no request to log and the text is returned as is."""
    from django.apps import apps

    if not apps.ready or not text:
        return text
    for regex, masked in _regexes():
        text = regex.sub(
            lambda match, masked=masked: "".join(
                MASK if number in masked else match.group(number)
                for number in range(1, match.re.groups + 1)
            ),
            text,
        )
    return text


class TokenMaskFilter(logging.Filter):
    """A logging filter (on handlers and loggers) that masks tokens in the message and in the
    traceback of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True

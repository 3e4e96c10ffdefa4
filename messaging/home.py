"""The home page's panels from messaging: new documents ("Quoi de neuf ?"), the month
calendar of events and deadlines, and "Actualités et messages".

The calendar and the news come from one query (see `calendar_and_news`), shared by both
panels. Both panels' HTML is the same for every student of a community on a given day: each
process keeps it, keyed on the community, the month, the day, the language and the shared
"calendar" and "institution" versions, which every write to an event, a news item, a school or
the institution bumps (portal/versions.py). A new event or news item shows on the very next
request; a visit costs no query and no rendering of the month's grid.
"""

from typing import Any

from django.db.models import OuterRef
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from messaging import documents
from messaging.selectors import (
    unread_counts,
    unread_documents_expression,
    unread_mio_expression,
)
from portal.home import home_panel, home_requested
from portal.versions import versions_of_request
from students.home import student_of, student_row_extra

CALENDAR_TEMPLATE = "messaging/_home_calendar.html"
NEWS_TEMPLATE = "messaging/_home_news.html"
# Kept HTML per process: (community, month, day, language, versions) → (calendar, news).
_kept: dict[tuple, tuple[SafeString, SafeString]] = {}
KEPT_MAX = 512


def _calendar_and_news(request: HttpRequest) -> tuple[SafeString, SafeString]:
    """The two panels' HTML, rendered once per community, month, day and version."""
    if not hasattr(request, "_messaging_home"):
        student = student_of(request)
        school_id = student.school_id if student else None
        today = timezone.localdate()
        month = documents.parse_month(request.GET.get("mois"), today=today)
        versions = versions_of_request(request)
        key = (
            school_id,
            month,
            today,
            get_language(),
            versions["calendar"],
            versions["institution"],
        )
        html = _kept.get(key)
        if html is None:
            events, news = documents.calendar_and_news(school_id, month=month, today=today)
            calendar = documents.month_calendar(month, events, today=today)
            html = (
                render_to_string(
                    CALENDAR_TEMPLATE, {"panel": {"calendar": calendar, "url_name": "portal:home"}}
                ),
                render_to_string(
                    NEWS_TEMPLATE, {"panel": {"news": news, "institution": request.institution}}
                ),
            )
            if len(_kept) >= KEPT_MAX:
                _kept.clear()
            _kept[key] = html
        request._messaging_home = html
    return request._messaging_home


UNREAD_MIO = "messaging_unread_mio"
UNREAD_DOCUMENTS = "messaging_unread_documents"


@student_row_extra
def unread_row(request: HttpRequest) -> dict[str, Any] | None:
    """On the home page, the student's unread counts are read with their row."""
    if getattr(request, "institution", None) is None or not home_requested(request):
        return None
    return {
        UNREAD_MIO: lambda values: unread_mio_expression(OuterRef("user_id")),
        UNREAD_DOCUMENTS: lambda values: unread_documents_expression(OuterRef("pk")),
    }


@home_panel("messaging/_home_documents.html", order=12, whats_new=True)
def documents_panel(request: HttpRequest) -> dict[str, Any] | None:
    """ "Quoi de neuf ?": unread MIO messages, and documents the student has not opened yet."""
    institution = request.institution
    if not request.user.is_authenticated:
        return None
    student = student_of(request)
    if student is not None and UNREAD_MIO in student.__dict__:
        mio = student.__dict__[UNREAD_MIO] or 0
        unread = student.__dict__[UNREAD_DOCUMENTS] or 0
    else:
        mio, unread = unread_counts(request.user)
    mio = mio if institution.module_enabled("mio") else 0
    unread = unread if institution.module_enabled("documents") else 0
    return {"unread": unread, "mio": mio} if unread or mio else None


@home_panel("portal/_home_kept.html", order=30)
def calendar_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    return {"html": _calendar_and_news(request)[0]}


@home_panel("portal/_home_kept.html", order=40)
def news_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    return {"html": _calendar_and_news(request)[1]}

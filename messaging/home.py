"""The home page's panels from messaging: new documents ("Quoi de neuf ?"), the month
calendar of events and deadlines, and "Actualités et messages".

The home page has a budget of 10 queries: the calendar and the news come from one query (see
`calendar_and_news`), shared by both panels through the request, and the new documents add
one count.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from messaging import documents
from messaging.selectors import unread_counts
from portal.home import home_panel
from students.home import student_of


def _calendar_and_news(request: HttpRequest) -> dict[str, Any]:
    if not hasattr(request, "_messaging_home"):
        student = student_of(request)
        school_id = student.school_id if student else None
        today = timezone.localdate()
        month = documents.parse_month(request.GET.get("mois"), today=today)
        events, news = documents.calendar_and_news(school_id, month=month, today=today)
        request._messaging_home = {
            "calendar": documents.month_calendar(month, events, today=today),
            "news": news,
        }
    return request._messaging_home


@home_panel("messaging/_home_documents.html", order=12, whats_new=True)
def documents_panel(request: HttpRequest) -> dict[str, Any] | None:
    """ "Quoi de neuf ?": unread MIO messages, and documents the student has not opened yet."""
    institution = request.institution
    if not request.user.is_authenticated:
        return None
    mio, unread = unread_counts(request.user)
    mio = mio if institution.module_enabled("mio") else 0
    unread = unread if institution.module_enabled("documents") else 0
    return {"unread": unread, "mio": mio} if unread or mio else None


@home_panel("messaging/_home_calendar.html", order=30)
def calendar_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    return {"calendar": _calendar_and_news(request)["calendar"], "url_name": "portal:home"}


@home_panel("messaging/_home_news.html", order=40)
def news_panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    news = _calendar_and_news(request)["news"]
    return {"news": news, "institution": request.institution}

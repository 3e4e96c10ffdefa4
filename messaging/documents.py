"""Reads and writes for "Documents et messages vous étant destinés", the events calendar and
the news. Access goes through `document_for_student`, which answers alike for a document that
does not exist and one that is not addressed to the student."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from messaging.models import DocumentRecipient, Event, NewsItem
from students.models import Student

NEWS_SHOWN = 5
# News older than this leave the home page ("Actualités et messages" is about what is recent).
NEWS_RECENT_DAYS = 120


def documents_for_student(student: Student) -> QuerySet[DocumentRecipient]:
    """The student's documents, newest first, each with its first read date."""
    return (
        DocumentRecipient.objects.filter(student=student)
        .select_related("document")
        .order_by("-document__created_at", "-document_id")
    )


def document_for_student(student: Student, pk: int) -> DocumentRecipient:
    """The student's copy of a document: 404 alike when it is missing or not addressed to
    them, so that nobody can tell which documents exist."""
    recipient = (
        DocumentRecipient.objects.filter(student=student, document_id=pk)
        .select_related("document")
        .first()
    )
    if recipient is None:
        raise Http404
    return recipient


def document_mark_read(*, recipient: DocumentRecipient) -> None:
    """Records the first read; later reads keep the first date (one conditional UPDATE, so
    two tabs opening it at once cannot overwrite it)."""
    if recipient.first_read_at is not None:
        return
    now = timezone.now()
    updated = DocumentRecipient.objects.filter(pk=recipient.pk, first_read_at__isnull=True).update(
        first_read_at=now
    )
    if updated:
        recipient.first_read_at = now


def unread_documents_count(student: Student) -> int:
    return DocumentRecipient.objects.filter(student=student, first_read_at__isnull=True).count()


def community(school_id: int | None) -> Q:
    """The student's school and the whole institution (school left empty)."""
    if school_id is None:
        return Q(school__isnull=True)
    return Q(school__isnull=True) | Q(school_id=school_id)


def parse_month(value: str | None, *, today: datetime.date) -> datetime.date:
    """`?mois=2026-11` as the first of that month; this month when absent or malformed."""
    if value:
        try:
            year, month = (int(part) for part in value.split("-", 1))
            if 1900 <= year <= 2999:
                return datetime.date(year, month, 1)
        except ValueError:
            pass
    return today.replace(day=1)


@dataclass(frozen=True)
class CalendarItem:
    """An event, a deadline or a news item, as the home page lists them."""

    source: str  # "event" or "news"
    pk: int
    title: str
    date: datetime.date
    kind: str
    school_name: str | None
    body: str

    @property
    def kind_label(self) -> str:
        return str(Event.Kind(self.kind).label) if self.source == "event" else ""


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    events: list[CalendarItem] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({event.kind for event in self.events})


@dataclass
class MonthCalendar:
    month: datetime.date
    weeks: list[list[Day]]
    events: list[CalendarItem]
    today: datetime.date

    @property
    def previous(self) -> datetime.date:
        return (self.month - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.month + datetime.timedelta(days=32)).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first Monday and the last Sunday of the Monday-first grid showing the month."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    start = month - datetime.timedelta(days=month.weekday())
    end = last + datetime.timedelta(days=6 - last.weekday())
    return start, end


def month_calendar(
    month: datetime.date, items: list[CalendarItem], *, today: datetime.date
) -> MonthCalendar:
    """The Monday-first grid of the month, with its events (of the month only) on their days."""
    events = [
        item
        for item in items
        if item.source == "event" and (item.date.year, item.date.month) == (month.year, month.month)
    ]
    by_date: dict[datetime.date, list[CalendarItem]] = {}
    for event in events:
        by_date.setdefault(event.date, []).append(event)
    start, end = month_bounds(month)
    weeks: list[list[Day]] = []
    day = start
    while day <= end:
        week = []
        for _weekday in range(7):
            in_month = day.month == month.month
            week.append(Day(day, in_month, by_date.get(day, []) if in_month else []))
            day += datetime.timedelta(days=1)
        weeks.append(week)
    return MonthCalendar(month, weeks, events, today)


def calendar_and_news(
    school_id: int | None, *, month: datetime.date, today: datetime.date, with_news: bool = True
) -> tuple[list[CalendarItem], list[CalendarItem]]:
    """The month's events and the recent news of a community, in one query (a UNION): the
    home page has a query budget (tests/accounts/test_query_budget.py)."""
    start, end = month_bounds(month)
    fields = ["i_source", "i_pk", "i_title", "i_date", "i_kind", "i_school", "i_body"]
    events = (
        Event.objects.filter(community(school_id), date__range=(start, end))
        .annotate(
            i_source=Value("event"),
            i_pk=F("pk"),
            i_title=F("title"),
            i_date=F("date"),
            i_kind=F("kind"),
            i_school=F("school__name"),
            i_body=Value(""),
        )
        .values_list(*fields)
        .order_by()
    )
    query = events
    if with_news:
        news = (
            NewsItem.objects.filter(
                community(school_id),
                published_on__range=(today - datetime.timedelta(days=NEWS_RECENT_DAYS), today),
            )
            .annotate(
                i_source=Value("news"),
                i_pk=F("pk"),
                i_title=F("title"),
                i_date=F("published_on"),
                i_kind=Value(""),
                i_school=F("school__name"),
                i_body=F("body"),
            )
            .values_list(*fields)
            .order_by()
        )
        query = events.union(news, all=True)
    items = [CalendarItem(*row) for row in query.order_by("i_date", "i_pk")]
    calendar_items = [item for item in items if item.source == "event"]
    news_items = sorted(
        (item for item in items if item.source == "news"),
        key=lambda item: (item.date, item.pk),
        reverse=True,
    )[:NEWS_SHOWN]
    return calendar_items, news_items

"""Modification d'horaire, for the logged-in student only (anyone else and a disabled module
answer 404, like a missing page). Seed 001: "Continuer" shows the possible new schedules, the
student picks one ("Cliquez ici pour sélectionner cet horaire"), confirms with the password
(the NIP), and sees the new schedule. Asking for alternatives is a GET that changes nothing;
only the confirmation writes. An alternative the page did not offer (a section of another
course, a full section, two courses at the same time) is refused, nothing changed."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from registration.change_forms import ChangeConfirmForm, WishesForm
from registration.change_selectors import (
    PROBLEM_UNCHANGED,
    ChangeOffer,
    MeetingInfo,
    SectionInfo,
    alternative_problem,
    alternative_sections,
    alternatives_search,
    change_of,
    change_offer,
    registration_for_change,
)
from registration.change_services import (
    ChangeClosed,
    ChangeRefused,
    problem_message,
    schedule_change_confirm,
)
from registration.models import TermRegistration
from registration.views import student_module
from students.models import Student
from students.selectors import schedule_sections

WORK_WEEK = (1, 2, 3, 4, 5)


@dataclass
class Entry:
    meeting: MeetingInfo
    section: SectionInfo
    changed: bool


@dataclass
class WeekDay:
    number: int
    label: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class ScheduleView:
    """A schedule as the page shows it: a week of days, and what changes from the current."""

    number: int
    sections: list[SectionInfo]
    days: list[WeekDay]
    moves: list[tuple[SectionInfo, SectionInfo]]
    query: str = ""


def _days_shown(offer: ChangeOffer) -> list[int]:
    used = {m.day for section in offer.sections.values() for m in section.meetings}
    return [n for n in range(1, 8) if n in WORK_WEEK or n in used]


def _schedule_view(
    offer: ChangeOffer, sections: list[SectionInfo], days: list[int], number: int = 0
) -> ScheduleView:
    week = [WeekDay(n, capfirst(str(WEEKDAYS[n - 1]))) for n in days]
    by_day = {day.number: day for day in week}
    moves = []
    for old, new in zip(offer.current, sections, strict=True):
        changed = old.pk != new.pk
        if changed:
            moves.append((old, new))
        for meeting in new.meetings:
            by_day[meeting.day].entries.append(Entry(meeting, new, changed))
    for day in week:
        day.entries.sort(key=lambda e: (e.meeting.start, e.meeting.end, e.section.course_code))
    return ScheduleView(number, sections, week, moves)


def _window_context(registration: TermRegistration | None) -> dict[str, Any]:
    now = timezone.now()
    return {
        "registration": registration,
        "is_open": bool(registration and registration.change_open(now)),
        "opens_later": bool(registration and registration.change_opens > now),
    }


@student_module("schedule_change")
def schedule_change(request: HttpRequest, student: Student) -> HttpResponse:
    """The current schedule, the wishes and "Continuer"; with "Continuer", the alternatives."""
    registration = registration_for_change(student=student)
    context = _window_context(registration)
    if registration is None or not context["is_open"]:
        return render(request, "registration/schedule_change.html", context)
    offer = change_offer(student=student, registration=registration)
    days = _days_shown(offer)
    asked = "continuer" in request.GET
    form = WishesForm(request.GET if asked else None, offer=offer)
    context.update(
        form=form,
        current=_schedule_view(offer, offer.current, days),
        asked=asked,
    )
    if asked and form.is_valid():
        result = alternatives_search(offer=offer, wishes=form.wishes())
        wishes_query = request.GET.urlencode()
        alternatives = []
        for number, alternative in enumerate(result.alternatives, start=1):
            chosen = [offer.sections[pk] for pk in alternative.sections]
            view = _schedule_view(offer, chosen, days, number)
            view.query = urlencode(
                {"sections": ",".join(str(pk) for pk in alternative.sections), "w": wishes_query}
            )
            alternatives.append(view)
        context.update(
            alternatives=alternatives,
            total=result.total,
            others=max(0, result.total - len(alternatives)),
        )
    return render(request, "registration/schedule_change.html", context)


def _section_ids(value: str) -> list[int]:
    """The alternative's section ids; anything malformed is an alternative of none."""
    try:
        return [int(part) for part in value.split(",")[:100] if part.strip()]
    except ValueError:
        return []


def _back_to_list(wishes_query: str) -> HttpResponse:
    url = reverse("registration:schedule_change")
    return redirect(f"{url}?{wishes_query}" if wishes_query else url)


@student_module("schedule_change")
def schedule_change_confirm_view(request: HttpRequest, student: Student) -> HttpResponse:
    """The chosen alternative and the password; on success, the new schedule."""
    registration = registration_for_change(student=student)
    if registration is None:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    # The wishes the list was asked with, to come back to the same list: re-encoded, and
    # always with "continuer".
    wishes = QueryDict(data.get("w", "")[:1000], mutable=True)
    wishes["continuer"] = "1"
    wishes_query = wishes.urlencode()
    if not registration.change_open():
        messages.error(request, _("La modification d'horaire est fermée ; rien n'a été modifié."))
        return redirect("registration:schedule_change")
    form = ChangeConfirmForm(
        request.POST if request.method == "POST" else None,
        request=request,
        initial={"sections": data.get("sections", "")},
    )
    section_ids = _section_ids(data.get("sections", ""))
    offer = change_offer(student=student, registration=registration)
    problem = alternative_problem(offer, section_ids)
    if problem is not None:
        if problem.code == PROBLEM_UNCHANGED:
            messages.info(
                request, _("Cet horaire est votre horaire actuel ; rien n'a été modifié.")
            )
        else:
            messages.error(request, problem_message(problem))
        return _back_to_list(wishes_query)
    if request.method == "POST" and form.is_valid():
        try:
            change = schedule_change_confirm(
                request=request,
                student=student,
                registration=registration,
                section_ids=section_ids,
                actor=request.user,
            )
        except ChangeClosed:
            messages.error(
                request, _("La modification d'horaire est fermée ; rien n'a été modifié.")
            )
            return redirect("registration:schedule_change")
        except ChangeRefused as refused:
            messages.error(request, problem_message(refused.problem))
            return _back_to_list(wishes_query)
        messages.success(request, _("La modification d'horaire est effectuée."))
        return redirect("registration:schedule_change_done", pk=change.pk)
    chosen = alternative_sections(offer, section_ids) or []
    return render(
        request,
        "registration/schedule_change_confirm.html",
        {
            "registration": registration,
            "form": form,
            "chosen": _schedule_view(offer, chosen, _days_shown(offer), 1),
            "sections_value": ",".join(str(pk) for pk in section_ids),
            "wishes_query": wishes_query,
            "back_url": f"{reverse('registration:schedule_change')}?{wishes_query}",
        },
    )


@student_module("schedule_change")
def schedule_change_done(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    """The confirmation number, the fee, and the schedule as it is now."""
    change = change_of(student=student, pk=pk)
    if change is None:
        raise Http404
    return render(
        request,
        "registration/schedule_change_done.html",
        {
            "change": change,
            "lines": list(change.lines.select_related("previous__course", "new__course")),
            "sections": schedule_sections(student=student, term=change.term),
            "student": student,
        },
    )

"""Choix de cours and Confirmation d'inscription, for the logged-in student only: anyone else
(staff, employees, parents) and a disabled module answer 404, like a missing page. Course ids
and elective fields the page did not offer are a tampered request: 404, nothing saved."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.reauth import PasswordAgainForm
from registration import selectors
from registration.forms import CourseChoiceForm, offered_ids_or_404, rank_field_name
from registration.models import CourseChoice, TermRegistration
from registration.services import ChoiceClosed, course_choice_submit, enrolment_confirm
from students.home import student_of
from students.models import Student
from students.selectors import schedule_sections


def student_module(slug: str) -> Callable[..., Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.institution.module_enabled(slug):
                raise Http404
            student = student_of(request)
            if student is None:
                raise Http404
            return view(request, student, *args, **kwargs)

        return wrapped

    return decorator


def _initial(current: CourseChoice | None) -> dict[str, Any]:
    if current is None:
        return {}
    initial: dict[str, Any] = {"courses": []}
    for chosen in current.courses.all():
        if chosen.elective_list_id is None:
            initial["courses"].append(chosen.course_id)
        else:
            initial[rank_field_name(chosen.elective_list_id, chosen.course_id)] = chosen.rank
    return initial


@student_module("course_choice")
def choice(request: HttpRequest, student: Student) -> HttpResponse:
    """The choice page: the window's dates, the proposed courses, the ranks, the password."""
    registration = selectors.registration_for_choice()
    if registration is None:
        return render(request, "registration/choice.html", {"registration": None})
    is_open = registration.choice_open()
    current = selectors.choice_current(student=student, registration=registration)
    context: dict[str, Any] = {
        "registration": registration,
        "is_open": is_open,
        "current": current,
        "history": selectors.choice_history(student=student, registration=registration),
    }
    if not is_open:
        if request.method == "POST":
            messages.error(request, _("Le choix de cours est fermé ; rien n'a été enregistré."))
            return redirect("registration:choice")
        return render(request, "registration/choice.html", context)
    offer = selectors.choice_offer(student=student, registration=registration)
    if request.method == "POST":
        offered_ids_or_404(request.POST, offer)
        form = CourseChoiceForm(request.POST, request=request, offer=offer)
        if form.is_valid():
            try:
                course_choice_submit(
                    request=request,
                    student=student,
                    registration=registration,
                    course_ids=form.cleaned_data["courses"],
                    ranks=form.cleaned_data["ranks"],
                    actor=request.user,
                )
            except ChoiceClosed:
                messages.error(request, _("Le choix de cours est fermé ; rien n'a été enregistré."))
                return redirect("registration:choice")
            return redirect("registration:choice_done")
    else:
        form = CourseChoiceForm(request=request, offer=offer, initial=_initial(current))
    context.update(
        offer=offer,
        form=form,
        rank_groups=[(elective, form.rank_fields(elective)) for elective in offer.electives],
    )
    return render(request, "registration/choice.html", context)


def _current_or_404(student: Student) -> tuple[TermRegistration, CourseChoice]:
    registration = selectors.registration_for_choice()
    if registration is None:
        raise Http404
    current = selectors.choice_current(student=student, registration=registration)
    if current is None:
        raise Http404
    return registration, current


@student_module("course_choice")
def choice_done(request: HttpRequest, student: Student) -> HttpResponse:
    """The confirmation number, after a submission (and whenever the student comes back)."""
    registration, current = _current_or_404(student)
    return render(
        request,
        "registration/choice_done.html",
        {"registration": registration, "current": current, "student": student},
    )


@student_module("course_choice")
def choice_print(request: HttpRequest, student: Student) -> HttpResponse:
    registration, current = _current_or_404(student)
    return render(
        request,
        "registration/choice_print.html",
        {"registration": registration, "current": current, "student": student},
    )


@student_module("enrolment_confirmation")
def confirmation(request: HttpRequest, student: Student) -> HttpResponse:
    """The term's courses, the deadline, the late fee if it applies, and "Confirmer"."""
    registration = selectors.registration_for_confirmation(student=student)
    if registration is None:
        return render(request, "registration/confirmation.html", {"registration": None})
    confirmed = selectors.confirmation_of(student=student, registration=registration)
    is_open = registration.confirmation_open()
    form = PasswordAgainForm(request.POST or None, request=request)
    if request.method == "POST":
        if confirmed is not None or not is_open:
            messages.info(request, _("Rien à confirmer pour l'instant ; rien n'a changé."))
            return redirect("registration:confirmation")
        if form.is_valid():
            enrolment_confirm(
                request=request, student=student, registration=registration, actor=request.user
            )
            messages.success(request, _("Votre inscription est confirmée."))
            return redirect("registration:confirmation")
    return render(
        request,
        "registration/confirmation.html",
        {
            "registration": registration,
            "sections": schedule_sections(student=student, term=registration.term),
            "confirmed": confirmed,
            "is_open": is_open,
            "late": registration.confirmation_late(),
            "late_fee": selectors.late_fee_of(student=student, registration=registration),
            "form": form,
        },
    )

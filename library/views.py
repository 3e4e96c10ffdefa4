"""Bibliothèque and Repères, for students.

Who may see what: the catalogue is open to every student of an institution offering the
module; a loan or a hold is its student's own, and anyone else's answers 404 like a missing
one (the lookups always filter on the logged-in student).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from library.forms import SearchForm
from library.models import Hold, Loan, Record
from library.selectors import (
    catalogue_languages,
    catalogue_search,
    hold_position,
    record_copies,
    student_hold,
    student_holds,
    student_loan_rows,
)
from library.services import LibraryRefused, hold_cancel, hold_place, loan_renew, loans_renew_all
from portal.templatetags.portal_format import format_when
from students.models import Student
from students.views.common import student_module

PER_PAGE = 20


@require_GET
@student_module("library")
def search(request: HttpRequest, student: Student) -> HttpResponse:
    form = SearchForm(request.GET, languages=catalogue_languages())
    page = None
    if form.is_valid():
        results = catalogue_search(
            query=form.cleaned_data["q"],
            document_type=form.cleaned_data["type"],
            language=form.cleaned_data["language"],
            available=form.cleaned_data["available"],
        )
        page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "library/search.html", {"form": form, "page": page})


@require_GET
@student_module("library")
def record_detail(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    record = get_object_or_404(Record, pk=pk)
    hold = student_hold(record, student)
    return render(
        request,
        "library/record.html",
        {
            "record": record,
            "copies": record_copies(record),
            "hold": hold,
            "position": hold_position(hold) if hold and hold.status == Hold.Status.WAITING else 0,
        },
    )


@require_POST
@student_module("library")
def hold_create(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    record = get_object_or_404(Record, pk=pk)
    try:
        hold = hold_place(record=record, student=student, actor=request.user)
    except LibraryRefused as refused:
        messages.error(request, str(refused))
        return redirect("library:record", pk=record.pk)
    if hold.status == Hold.Status.READY:
        messages.success(
            request,
            _(
                "Un exemplaire est mis de côté pour vous : empruntez-le au comptoir au plus tard "
                "le %(date)s."
            )
            % {"date": format_when(hold.pickup_by)},
        )
    else:
        messages.success(
            request,
            _("Document mis de côté : vous êtes à la position %(position)d de la file d'attente.")
            % {"position": hold_position(hold)},
        )
    return redirect("library:holds")


@require_GET
@student_module("library")
def holds(request: HttpRequest, student: Student) -> HttpResponse:
    return render(request, "library/holds.html", {"holds": student_holds(student)})


@require_POST
@student_module("library")
def hold_delete(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    hold = get_object_or_404(Hold, pk=pk, student=student, status__in=Hold.ACTIVE)
    hold_cancel(hold=hold, actor=request.user)
    messages.success(request, _("Mise de côté annulée."))
    return redirect("library:holds")


@require_GET
@student_module("library")
def loans(request: HttpRequest, student: Student) -> HttpResponse:
    today = timezone.localdate()
    rows = student_loan_rows(student, today=today)
    return render(request, "library/loans.html", {"rows": rows, "today": today})


@require_POST
@student_module("library")
def loan_renew_one(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    loan = get_object_or_404(Loan, pk=pk, student=student, returned_on__isnull=True)
    _report(request, [loan_renew(loan=loan, actor=request.user)])
    return redirect("library:loans")


@require_POST
@student_module("library")
def loan_renew_all(request: HttpRequest, student: Student) -> HttpResponse:
    renewals = loans_renew_all(student=student, actor=request.user)
    if not renewals:
        messages.info(request, _("Vous n'avez aucun prêt à renouveler."))
    _report(request, renewals)
    return redirect("library:loans")


def _report(request: HttpRequest, renewals: list) -> None:
    for renewal in renewals:
        title = renewal.loan.copy.record.title
        if renewal.refusal:
            messages.error(
                request,
                _("« %(title)s » n'a pas été renouvelé : %(reason)s")
                % {"title": title, "reason": renewal.refusal},
            )
        else:
            messages.success(
                request,
                _("« %(title)s » est renouvelé jusqu'au %(date)s.")
                % {"title": title, "date": format_when(renewal.loan.due_on)},
            )


@require_GET
@student_module("reperes")
def reperes(request: HttpRequest, student: Student) -> HttpResponse:
    url = request.institution.career_info_url
    if not url:
        raise Http404
    return render(request, "library/reperes.html", {"url": url})

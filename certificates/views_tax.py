"""Relevés d'impôt: the student's NAS and Quebec residence, and their tax slips."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from certificates.forms import TaxProfileForm
from certificates.sin import SinError, keys_configured
from certificates.tax_pdf import slip_pdf
from certificates.tax_profile import NO_KEY, tax_profile_of, tax_profile_update
from certificates.tax_slips import slip_for_student, slips_for_student
from students.models import Student
from students.views.common import student_module

MODULE = "tax_slips"


@sensitive_post_parameters("sin", "current_password")
@require_http_methods(["GET", "POST"])
@student_module(MODULE)
def tax_slips(request: HttpRequest, student: Student) -> HttpResponse:
    profile = tax_profile_of(student)
    form = TaxProfileForm(
        request.POST or None,
        initial={"quebec_resident": profile.quebec_resident},
        request=request,
    )
    if request.method == "POST" and form.is_valid():
        try:
            tax_profile_update(
                request=request,
                student=student,
                quebec_resident=form.cleaned_data["quebec_resident"],
                sin=form.cleaned_data["sin"],
            )
        except SinError as error:
            form.add_error("sin", str(error))
        else:
            messages.success(request, _("Vos renseignements fiscaux ont été enregistrés."))
            return redirect("certificates:tax_slips")
    return render(
        request,
        "certificates/tax_slips.html",
        {
            "form": form,
            "profile": profile,
            "keys_configured": keys_configured(),
            "no_key": NO_KEY,
            "slips": slips_for_student(student, request.institution),
        },
    )


@require_GET
@student_module(MODULE)
def tax_slip_pdf(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    slip = slip_for_student(student, request.institution, pk)
    if slip is None:
        raise Http404
    response = HttpResponse(slip_pdf(slip, request.institution), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slip.number}.pdf"'
    return response

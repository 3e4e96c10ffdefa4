"""Attestation de fréquentation: the student's requests and PDFs; the public verification
page that banks and insurers use instead of phoning the registrar."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from certificates import selectors, services
from certificates.codes import code_display
from certificates.forms import AttestationRequestForm, VerifyForm
from certificates.pdf import attestation_pdf
from portal.http import client_ip
from portal.throttle import throttle_check, throttle_fail
from students.models import Student
from students.views.common import student_module

MODULE = "attendance_certificate"
THROTTLE = "attestation_verify"


@require_http_methods(["GET", "POST"])
@student_module(MODULE)
def attestations(request: HttpRequest, student: Student) -> HttpResponse:
    """The student's attestations and the form to ask for one."""
    terms = selectors.terms_for_attestation(student)
    form = AttestationRequestForm(request.POST or None, terms=terms)
    if request.method == "POST" and form.is_valid():
        try:
            attestation = services.attestation_request(
                request=request,
                student=student,
                term=form.cleaned_data["term"],
                purpose=form.cleaned_data["purpose"],
                language=form.cleaned_data["language"],
                institution=request.institution,
            )
        except services.AttestationError as error:
            messages.error(request, str(error))
            return redirect("certificates:attestations")
        if attestation.invoice is not None:
            messages.success(
                request,
                _(
                    "Votre demande est enregistrée. Payez la facture %(number)s pour obtenir "
                    "l'attestation."
                )
                % {"number": attestation.invoice.number},
            )
            query = urlencode({"factures": attestation.invoice.number})
            return redirect(f"{reverse('billing:selection')}?{query}")
        messages.success(request, _("Votre attestation est prête."))
        return redirect("certificates:attestations")
    return render(
        request,
        "certificates/attestations.html",
        {
            "form": form,
            "has_terms": terms.exists(),
            "rows": selectors.attestations_of(student),
            "fee": request.institution.attestation_fee,
        },
    )


@require_GET
@student_module(MODULE)
def attestation_download(request: HttpRequest, student: Student, pk: int) -> HttpResponse:
    attestation = selectors.attestation_for_student(student, pk)
    if not attestation.is_valid:
        raise Http404
    response = HttpResponse(
        attestation_pdf(attestation, request.institution, request), content_type="application/pdf"
    )
    filename = f"attestation-{attestation.term.code}-{attestation.code[:4]}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _verify_page(request: HttpRequest, typed: str | None) -> HttpResponse:
    form = VerifyForm({"code": typed} if typed is not None else None)
    context: dict[str, object] = {"form": form, "checked": False}
    status = 200
    if typed is not None and form.is_valid():
        ip = client_ip(request)
        if throttle_check(THROTTLE, key=ip, ip=ip):
            context["throttled"] = True
            status = 429
        else:
            throttle_fail(THROTTLE, key=ip, ip=ip)
            found = selectors.attestation_valid_for_code(form.cleaned_data["code"])
            context.update(
                checked=True, attestation=found, code=code_display(found.code) if found else ""
            )
    response = render(request, "certificates/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """/verifier/: the code typed in (GET, so the page can be bookmarked by nobody but the one
    who has the code)."""
    return _verify_page(request, request.GET.get("code"))


@login_not_required
@never_cache
@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """/verifier/<code>/: where the attestation's QR code leads."""
    return _verify_page(request, code)

"""Dossier personnel: the student's own address, phones and email, validated for Canada."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from students.forms import ContactForm
from students.models import Student
from students.services import student_contact_update
from students.views.common import student_module


@require_http_methods(["GET", "POST"])
@student_module("personal_file")
def personal_file(request: HttpRequest, student: Student) -> HttpResponse:
    form = ContactForm(request.POST or None, instance=Student.objects.get(pk=student.pk))
    if request.method == "POST" and form.is_valid():
        changed = student_contact_update(
            request=request,
            student=Student.objects.get(pk=student.pk),
            changes={name: form.cleaned_data[name] for name in form.changed_data},
        )
        if changed:
            messages.success(request, _("Vos coordonnées ont été mises à jour."))
        else:
            messages.info(request, _("Aucun changement : vos coordonnées sont à jour."))
        return redirect("students:personal_file")
    return render(request, "students/personal_file.html", {"form": form, "student": student})

"""Profil personnel: password, secret questions, email, sessions and security events."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms.profile import EmailChangeForm, PasswordChangeForm, QuestionsChangeForm
from accounts.models import Passkey, User, UserSession
from accounts.services import profile as services
from accounts.services import second_factor
from accounts.services.common import throttle_key
from accounts.services.recovery import email_on_file
from accounts.session_store import IP_KEY
from portal.middleware import SEEN_WRITE_EVERY
from portal.models import AuditEvent
from students.home import student_of
from students.selectors import record_accesses

RECENT_EVENTS = 20
EMAIL_CONFIRMED_KEY = "email_change_confirmed"


def _is_parent(request: HttpRequest) -> bool:
    return request.user.audience == User.Audience.PARENT


def _profile_enabled(request: HttpRequest) -> bool:
    """Profil personnel is a module students and employees may not have; a parent's
    "Gestion de mon compte" comes with the parents' portal."""
    institution = request.institution
    if _is_parent(request):
        return bool(institution.parent_portal_enabled)
    return institution.module_enabled("profile")


def _form_page(request: HttpRequest, form: object, title: str) -> HttpResponse:
    return render(
        request,
        "accounts/profile_form.html",
        {"form": form, "title": title, "is_parent": _is_parent(request)},
    )


def profile(request: HttpRequest) -> HttpResponse:
    if not _profile_enabled(request):
        return HttpResponseNotFound()
    user = request.user
    # Only sessions that could still be used: not past their expiry, not idle past the limit
    # (last_seen is written at most once a minute).
    now = timezone.now()
    idle = timedelta(minutes=request.institution.session_idle_minutes, seconds=SEEN_WRITE_EVERY)
    sessions = UserSession.objects.filter(
        user=user, expire_date__gt=now, last_seen__gte=now - idle
    ).order_by("-last_seen")
    # Failures carry the identifier typed, not the account: both are the owner's to see.
    typed = throttle_key(user.audience, user.identifier) if user.identifier else None
    events = (
        AuditEvent.objects.filter(Q(subject=user) | Q(identifier=typed, subject__isnull=True))
        .only("kind", "created_at", "ip_address")
        .order_by("-created_at")[:RECENT_EVENTS]
    )
    # "Qui a consulté mon dossier": a student's own record (a parent sees a child's on the
    # child's page).
    student = student_of(request)
    accesses, access_count = record_accesses(student) if student is not None else ([], 0)
    return render(
        request,
        "accounts/profile.html",
        {
            "show_accesses": student is not None,
            "accesses": accesses,
            "access_count": access_count,
            "sessions": sessions,
            "current_key": request.session.session_key,
            "events": events,
            "email": email_on_file(user),
            "current_ip": request.session.get(IP_KEY),
            "question_count": services.question_count_for(user, request.institution),
            "is_parent": _is_parent(request),
            "totp_enabled": second_factor.totp_enabled(user),
            "passkeys": Passkey.objects.filter(user=user),
            "recovery_codes_left": second_factor.recovery_codes_left(user),
            "second_factor_required": request.institution.second_factor_required(user.audience),
        },
    )


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    if not _profile_enabled(request):
        return HttpResponseNotFound()
    form = PasswordChangeForm(
        request.POST or None, request=request, institution=request.institution
    )
    if request.method == "POST" and form.is_valid():
        services.password_change(
            request=request, user=request.user, password=form.cleaned_data["password1"]
        )
        messages.success(
            request, _("Votre mot de passe a été modifié. Vos autres sessions ont été fermées.")
        )
        return redirect("accounts:profile")
    return _form_page(request, form, _("Modification de mot de passe"))


@require_http_methods(["GET", "POST"])
def questions_change(request: HttpRequest) -> HttpResponse:
    count = services.question_count_for(request.user, request.institution)
    if not _profile_enabled(request) or not count:
        return HttpResponseNotFound()
    form = QuestionsChangeForm(request.POST or None, request=request, count=count)
    if request.method == "POST" and form.is_valid():
        services.questions_change(request=request, user=request.user, answers=form.answers())
        messages.success(
            request,
            _("Votre question secrète a été modifiée.")
            if _is_parent(request)
            else _("Vos questions en cas d'oubli de mot de passe ont été modifiées."),
        )
        return redirect("accounts:profile")
    return _form_page(
        request,
        form,
        _("Changer ma question secrète")
        if _is_parent(request)
        else _("Questions en cas d'oubli de mot de passe"),
    )


@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    if not _profile_enabled(request):
        return HttpResponseNotFound()
    form = EmailChangeForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        services.email_change_request(
            request=request, user=request.user, email=form.cleaned_data["email"]
        )
        messages.info(
            request,
            _(
                "Un lien de confirmation a été envoyé à votre nouvelle adresse. Votre courriel "
                "sera modifié quand vous l'aurez suivi."
            ),
        )
        return redirect("accounts:profile")
    return _form_page(request, form, _("Modification du courriel"))


@login_not_required
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Applies the change, then leaves the token's URL for a token-free result page."""
    try:
        user = services.email_change_confirm(request=request, token=token)
    except services.EmailTaken:
        outcome = "taken"
    else:
        outcome = "confirmed" if user is not None else "invalid"
    request.session[EMAIL_CONFIRMED_KEY] = outcome
    response = redirect("accounts:email_confirmed")
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
def email_confirmed(request: HttpRequest) -> HttpResponse:
    outcome = request.session.pop(EMAIL_CONFIRMED_KEY, "invalid")
    return render(
        request,
        "accounts/email_confirmed.html",
        {"confirmed": outcome == "confirmed", "taken": outcome == "taken"},
    )


@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    if not _profile_enabled(request):
        return HttpResponseNotFound()
    ended = services.sessions_end_others(request=request, user=request.user)
    messages.success(
        request,
        _("Vos autres sessions ont été fermées.")
        if ended
        else _("Aucune autre session n'était ouverte."),
    )
    return redirect("accounts:profile")

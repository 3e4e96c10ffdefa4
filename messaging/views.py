"""MIO pages: inbox, sent, compose, a message with its thread and reply form, attachments.
Every message and attachment is reached through the selectors' access functions: a message
the user neither sent nor received answers 404 like a missing one."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from messaging import selectors, services
from messaging.forms import EmployeeComposeForm, ReplyForm, StudentComposeForm
from students.home import student_of

PAGE_SIZE = 50
MIO_AUDIENCES = {User.Audience.STUDENT, User.Audience.EMPLOYEE, User.Audience.STAFF}


def mio_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A MIO page: only where the institution offers the module, for students, employees and
    staff (login is required by the middleware)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.institution.module_enabled("mio"):
            raise Http404
        if request.user.audience not in MIO_AUDIENCES:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _page(request: HttpRequest, queryset: Any, count: int | None = None) -> Any:
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        # The inbox already counted its rows: spare the paginator's COUNT query.
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


@require_GET
@mio_page
def inbox(request: HttpRequest) -> HttpResponse:
    """Boîte de réception: newest first, unread ones marked, searchable with ?q=."""
    q = request.GET.get("q", "").strip()
    counts = selectors.inbox_counts(request.user)
    if q:
        page = _page(request, selectors.inbox_for(request.user, q=q))
    else:
        page = _page(request, selectors.InboxRows(request.user, counts["total"]), counts["total"])
    return render(
        request,
        "messaging/inbox.html",
        {"page": page, "q": q, "counts": counts},
        using="jinja2",
    )


@require_GET
@mio_page
def sent(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    page = _page(request, selectors.sent_for(request.user, q=q))
    return render(request, "messaging/sent.html", {"page": page, "q": q})


def _compose_form(request: HttpRequest, data: Any = None, files: Any = None) -> Any:
    user = request.user
    if user.audience == User.Audience.STUDENT:
        student = student_of(request)
        if student is None:
            raise Http404
        return StudentComposeForm(
            data,
            files,
            choices=selectors.staff_recipients_for_student(student),
            offices=selectors.offices_for_student(),
        )
    return EmployeeComposeForm(data, files, user=user)


@require_http_methods(["GET", "POST"])
@mio_page
def compose(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = _compose_form(request, request.POST, request.FILES)
        if form.is_valid():
            try:
                message = services.message_send(
                    request=request,
                    sender=request.user,
                    recipients=form.recipients(),
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                count = message.recipients.count()
                messages.success(
                    request,
                    _("Message envoyé à %(count)s destinataire(s).") % {"count": count},
                )
                return redirect("messaging:sent")
    else:
        form = _compose_form(request)
    return render(request, "messaging/compose.html", {"form": form})


def _message_page(
    request: HttpRequest, pk: int, reply_form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    message = selectors.message_for_user(request.user, pk)
    recipient = selectors.recipient_of(request.user, message)
    if recipient is not None:
        services.message_mark_read(recipient=recipient)
    can_reply = recipient is not None and message.sender_id != request.user.pk
    context = {
        "message": message,
        "thread": selectors.message_thread(request.user, message),
        "attachments": list(message.attachments.all()),
        "recipient": recipient,
        "is_sender": message.sender_id == request.user.pk,
        "reply_form": (reply_form or ReplyForm()) if can_reply else None,
        "reply_subject": services.reply_subject(message.subject),
    }
    return render(request, "messaging/message.html", context, status=status)


@require_GET
@mio_page
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A message: marked read for its recipient the first time it is opened."""
    return _message_page(request, pk)


@require_POST
@mio_page
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Replies to the original sender; only a recipient of the message may."""
    original = selectors.message_for_user(request.user, pk)
    if selectors.recipient_of(request.user, original) is None:
        raise Http404
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_send(
                request=request,
                sender=request.user,
                recipients=[original.sender],
                subject=services.reply_subject(original.subject),
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
                parent=original,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Réponse envoyée."))
            return redirect("messaging:message", pk=original.pk)
    return _message_page(request, pk, reply_form=form, status=400)


@require_GET
@mio_page
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Served only to the message's sender and recipients, always as a download, with the
    type checked at upload: the browser never sniffs or renders it inline."""
    found = selectors.attachment_for_user(request.user, pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""One email = a subject/text/HTML template triplet under templates/emails/, rendered in the
recipient's language and sent through Django's tasks framework once the transaction commits,
so that a rolled-back change never sends mail. The worker sends it (PORTAL_TASKS, see
portal.tasks); a failed send (the mail server down) is retried with backoff."""

import base64
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from portal.models import Institution
from portal.selectors import institution_current
from portal.tasks import retried_task


@retried_task()
def email_deliver(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str,
    attachments: list[tuple[str, str, str]] | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Attachments travel base64-encoded: a task's arguments must be JSON."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments or []:
        message.attach(name, base64.b64decode(content), mimetype)
    message.send()


def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    institution: Institution | None = None,
    attachments: list[tuple[str, str, str]] | None = None,
    reply_to: str | None = None,
) -> None:
    """Renders templates/emails/<template>_{subject.txt,body.txt,body.html} and queues it.
    The subject and text parts are plain text: their templates turn autoescaping off."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        full_context = {
            "institution": institution or institution_current(),
            "base_url": settings.PORTAL_BASE_URL,
            **context,
        }
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", full_context).split())
        text = render_to_string(f"emails/{template}_body.txt", full_context)
        html = render_to_string(f"emails/{template}_body.html", full_context)
    transaction.on_commit(
        lambda: email_deliver.enqueue(
            to=[to],
            subject=subject,
            text=text,
            html=html,
            attachments=attachments,
            reply_to=[reply_to] if reply_to else None,
        )
    )

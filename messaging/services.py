"""MIO writes: sending a message (with its attachments and email notices) and marking it read."""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from messaging.models import Attachment, Message, MessageRecipient
from portal.emails import email_send
from portal.services import audit_record

AUDIT_MESSAGE_SENT = "mio.sent"


def reply_subject(subject: str) -> str:
    """The subject of a reply: « RE : » once, however long the thread."""
    if subject.upper().startswith("RE :") or subject.upper().startswith("RE:"):
        return subject
    return f"RE : {subject}"[: Message._meta.get_field("subject").max_length]


def message_send(
    *,
    request: HttpRequest | None,
    sender: User,
    recipients: Iterable[User],
    subject: str,
    body: str,
    files: Sequence[tuple[UploadedFile, str]] = (),
    parent: Message | None = None,
) -> Message:
    """Sends a MIO: the message, one row per recipient, the attachments (already checked by
    the form: `(file, content_type)`), an audit row, and an email notice to each recipient
    with an email on file once the transaction commits.

    The notice never carries the message's body: it may be personal, and email leaves the
    institution's hands."""
    recipient_list = list({user.pk: user for user in recipients if user.pk != sender.pk}.values())
    if not recipient_list:
        raise ValidationError(_("Choisissez au moins un destinataire."))
    # Whatever the form offered, a student never writes to another student directly.
    if sender.audience == User.Audience.STUDENT and any(
        user.audience == User.Audience.STUDENT for user in recipient_list
    ):
        raise ValidationError(_("Un étudiant ne peut pas écrire directement à un autre étudiant."))

    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            message = Message(sender=sender, subject=subject, body=body, parent=parent)
            message.full_clean()
            message.save()
            MessageRecipient.objects.bulk_create(
                MessageRecipient(message=message, user=user) for user in recipient_list
            )
            for upload, content_type in files:
                attachment = Attachment(
                    message=message,
                    name=upload.name[:200],
                    content_type=content_type,
                    size=upload.size,
                )
                attachment.file.save(upload.name, upload, save=False)
                stored.append(attachment)
                attachment.save()
            audit_record(
                kind=AUDIT_MESSAGE_SENT,
                request=request,
                actor=sender,
                details={
                    "message": message.pk,
                    "recipients": len(recipient_list),
                    "attachments": len(stored),
                },
            )
            url = settings.PORTAL_BASE_URL + reverse("messaging:message", args=[message.pk])
            for user in recipient_list:
                if user.email:
                    email_send(
                        to=user.email,
                        template="mio_notice",
                        context={
                            "recipient": user,
                            "sender_name": sender.display_name,
                            "subject": message.subject,
                            "url": url,
                        },
                    )
    except BaseException:
        # Files are not transactional: a rolled-back message leaves none behind.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return message


def message_mark_read(*, recipient: MessageRecipient) -> bool:
    """Marks the message read for this recipient, the first time only."""
    if recipient.read_at is not None:
        return False
    now = timezone.now()
    updated = MessageRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
        read_at=now
    )
    if updated:
        recipient.read_at = now
    return bool(updated)

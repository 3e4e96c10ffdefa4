"""Email backends that stand in for a mail server that misbehaves (tests only)."""

import smtplib
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.locmem import EmailBackend


class FailOnceBackend(EmailBackend):
    """The first send raises as an SMTP server that hung up would; the next ones deliver to
    mail.outbox like the test backend."""

    failures = 0

    def send_messages(self, messages: Sequence[Any]) -> int:
        if FailOnceBackend.failures == 0:
            FailOnceBackend.failures += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class AlwaysFailBackend(EmailBackend):
    def send_messages(self, messages: Sequence[Any]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

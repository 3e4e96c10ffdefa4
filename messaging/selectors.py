"""MIO reads. Access goes through `message_for_user` and `attachment_for_user`, which answer
404 alike for a missing message and for one the user neither sent nor received."""

import datetime
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from messaging.models import Attachment, Message, MessageRecipient, Office
from portal.collation import by_name
from portal.prepared import prepared
from students.models import Employee, Program, Section, Student

THREAD_DEPTH = 10


def _search(queryset: QuerySet, q: str, prefix: str = "") -> QuerySet:
    """Case-insensitive search in the subject, the body and the sender's name."""
    q = q.strip()
    if not q:
        return queryset
    queryset = queryset.annotate(
        sender_full_name=Concat(
            f"{prefix}sender__first_name", Value(" "), f"{prefix}sender__last_name"
        )
    )
    return queryset.filter(
        Q(**{f"{prefix}subject__icontains": q})
        | Q(**{f"{prefix}body__icontains": q})
        | Q(sender_full_name__icontains=q)
        | Q(**{f"{prefix}sender__identifier__icontains": q})
    )


def _received(user_id: Any) -> QuerySet[MessageRecipient]:
    return (
        MessageRecipient.objects.filter(user_id=user_id)
        .select_related("message__sender")
        .annotate(attachment_count=Count("message__attachments"))
        .order_by("-message__created_at", "-message_id")
    )


def inbox_for(user: User, *, q: str = "") -> QuerySet[MessageRecipient]:
    """The messages the user received, newest first, each with its read state."""
    return _search(_received(user.pk), q, prefix="message__")


class InboxRows:
    """The inbox without a search as the paginator slices it: each page's rows (`inbox_for`'s)
    in SQL compiled once per process and page (portal/prepared.py); `total` from
    `inbox_counts`, so that the paginator counts nothing."""

    def __init__(self, user: User, total: int) -> None:
        self.user_id = user.pk
        self.total = total

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __getitem__(self, rows: slice) -> list[MessageRecipient]:
        start, stop = rows.start or 0, rows.stop
        if stop is not None and stop <= start:
            return []  # an empty inbox's page
        return prepared(
            ("inbox-page", start, stop),
            lambda values: _received(values["user"])[start:stop],
            {"user": self.user_id},
        )


def inbox_counts(user: User) -> dict[str, int]:
    """How many messages the user received, and how many are unread: one query, its SQL
    compiled once per process."""
    rows = prepared(
        "inbox-counts",
        lambda values: (
            MessageRecipient.objects.filter(user_id=values["user"])
            .order_by()
            .values("user_id")
            .annotate(total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
        ),
        {"user": user.pk},
    )
    if not rows:
        return {"total": 0, "unread": 0}
    return {"total": rows[0]["total"], "unread": rows[0]["unread"]}


def unread_count(user: User) -> int:
    return MessageRecipient.objects.filter(user=user, read_at__isnull=True).count()


def sent_for(user: User, *, q: str = "") -> QuerySet[Message]:
    """The messages the user sent, newest first, with their recipients' count."""
    sent = (
        Message.objects.filter(sender=user)
        .select_related("sender")
        .annotate(
            recipient_count=Count("recipients", distinct=True),
            attachment_count=Count("attachments", distinct=True),
        )
        .order_by("-created_at", "-id")
    )
    return _search(sent, q)


def _readable_by(user: User) -> Q:
    return Q(sender=user) | Q(
        Exists(MessageRecipient.objects.filter(message=OuterRef("pk"), user=user))
    )


def message_for_user(user: User, pk: int) -> Message:
    """The message, if the user sent or received it; 404 otherwise, as for a missing one."""
    message = (
        Message.objects.filter(_readable_by(user), pk=pk)
        .select_related("sender")
        .prefetch_related("attachments")
        .first()
    )
    if message is None:
        raise Http404
    return message


def message_thread(user: User, message: Message) -> list[Message]:
    """The earlier messages the reply answers, oldest first, only those the user may read."""
    thread: list[Message] = []
    parent_id = message.parent_id
    seen = {message.pk}
    while parent_id and parent_id not in seen and len(thread) < THREAD_DEPTH:
        seen.add(parent_id)
        parent = (
            Message.objects.filter(_readable_by(user), pk=parent_id)
            .select_related("sender")
            .first()
        )
        if parent is None:
            break
        thread.append(parent)
        parent_id = parent.parent_id
    return list(reversed(thread))


def recipient_of(user: User, message: Message) -> MessageRecipient | None:
    return MessageRecipient.objects.filter(message=message, user=user).first()


def attachment_for_user(user: User, pk: int) -> Attachment:
    """The attachment, if the user sent or received its message; 404 otherwise."""
    attachment = (
        Attachment.objects.filter(pk=pk)
        .filter(
            Q(message__sender=user)
            | Q(Exists(MessageRecipient.objects.filter(message=OuterRef("message_id"), user=user)))
        )
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# --- Who may write to whom ---------------------------------------------------------------


def staff_recipients_for_student(
    student: Student, today: datetime.date | None = None
) -> list[User]:
    """Whom a student may write to: every teacher of their sections of the current term (of
    any term when none is under way) who has an account, first; then the other employees
    known by name. Never another student, never an account known only by its login (the
    registrar's staff are reached through their office: `offices_for_student`)."""
    today = today or timezone.localdate()
    sections = Section.objects.filter(enrolments__student=student)
    current = sections.filter(term__starts_on__lte=today, term__ends_on__gte=today)
    if current.exists():
        sections = current
    teacher_ids = set(
        Employee.objects.filter(sections__in=sections, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    users = [
        user
        for user in User.objects.filter(
            Q(audience=User.Audience.EMPLOYEE, employee__isnull=False)
            | Q(audience=User.Audience.STAFF, is_staff=True),
            is_active=True,
        ).order_by(*by_name("last_name", "first_name"), "id")
        if user.pk in teacher_ids or user.get_full_name()
    ]
    users.sort(key=lambda u: (u.pk not in teacher_ids, u.audience != User.Audience.EMPLOYEE))
    for user in users:
        user.is_my_teacher = user.pk in teacher_ids
    return users


def offices_for_student() -> list[Office]:
    """The offices a student may write to, with at least one active member."""
    return list(
        Office.objects.filter(members__is_active=True)
        .distinct()
        .prefetch_related(Prefetch("members", queryset=User.objects.filter(is_active=True)))
    )


def sections_for_employee(user: User, today: datetime.date | None = None) -> QuerySet[Section]:
    """The employee's own sections (any term), and every section of the current term."""
    today = today or timezone.localdate()
    return (
        Section.objects.filter(
            Q(teacher__user=user) | Q(term__starts_on__lte=today, term__ends_on__gte=today)
        )
        .select_related("term", "course")
        .distinct()
        .order_by("-term__starts_on", "course__code", "group")
    )


def programs_for_employee() -> QuerySet[Program]:
    return Program.objects.order_by("code")


def student_user_by_matricule(matricule: str) -> User | None:
    student = (
        Student.objects.filter(matricule=matricule.strip(), user__isnull=False)
        .select_related("user")
        .first()
    )
    return student.user if student and student.user.is_active else None


def section_users(section: Section) -> QuerySet[User]:
    """Every student enrolled in the section who has an account."""
    return User.objects.filter(
        audience=User.Audience.STUDENT, is_active=True, student__enrolments__section=section
    ).distinct()


def program_users(program: Program) -> QuerySet[User]:
    """Every student of the program (the whole cohort) who has an account."""
    return User.objects.filter(
        audience=User.Audience.STUDENT, is_active=True, student__program=program
    ).distinct()


def _counted(queryset: QuerySet, group: str) -> Subquery:
    return Subquery(
        queryset.order_by().values(group).annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    )


def unread_mio_expression(user_ref: Any) -> Subquery:
    """The user's unread MIO messages, as a scalar subquery (`user_ref`: an OuterRef to the
    user's id)."""
    return _counted(MessageRecipient.objects.filter(user=user_ref, read_at__isnull=True), "user")


def unread_documents_expression(student_ref: Any) -> Subquery:
    """The student's unopened documents, as a scalar subquery (`student_ref`: an OuterRef to
    the student's id)."""
    from messaging.models import DocumentRecipient

    return _counted(
        DocumentRecipient.objects.filter(student=student_ref, first_read_at__isnull=True),
        "student",
    )


def unread_counts(user: User) -> tuple[int, int]:
    """(unread MIO messages, unopened documents) of the user, in one query."""
    from messaging.models import DocumentRecipient

    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            mio=unread_mio_expression(OuterRef("pk")),
            documents=_counted(
                DocumentRecipient.objects.filter(
                    student__user=OuterRef("pk"), first_read_at__isnull=True
                ),
                "student",
            ),
        )
        .values("mio", "documents")
        .first()
    ) or {}
    return row.get("mio") or 0, row.get("documents") or 0

"""Writes of the registrar's records."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.http import client_ip
from portal.models import AuditEvent
from portal.prepared import prepared
from portal.services import audit_record
from students.models import Employee, Program, RecordAccess, ScheduleRetrieval, Student, Term


@transaction.atomic
def student_upsert(*, matricule: str, **fields: Any) -> tuple[Student, bool]:
    """Creates or updates the student with this matricule; returns (student, created).

    The record is validated (`full_clean`) before it is saved; the linked account is kept.
    """
    student = Student.objects.filter(matricule=matricule).first()
    created = student is None
    if created:
        student = Student(matricule=matricule)
    for name, value in fields.items():
        setattr(student, name, value)
    student.full_clean(exclude=["user"])
    student.save()
    return student, created


@transaction.atomic
def employee_upsert(*, employee_number: str, **fields: Any) -> tuple[Employee, bool]:
    employee = Employee.objects.filter(employee_number=employee_number).first()
    created = employee is None
    if created:
        employee = Employee(employee_number=employee_number)
    for name, value in fields.items():
        setattr(employee, name, value)
    employee.full_clean(exclude=["user"])
    employee.save()
    return employee, created


def _bulk_save[M: (Student, Employee)](
    model: type[M], *, new: Sequence[M], changed: Sequence[tuple[M, Sequence[str]]]
) -> None:
    # Foreign keys and uniqueness are left to the database (the caller resolved them from rows
    # it loaded), so validating thousands of rows costs no query. The account link is never
    # written here: first use may be linking one at this very moment.
    names = [f.name for f in model._meta.concrete_fields]
    related = [f.name for f in model._meta.concrete_fields if f.is_relation]
    checks = [(instance, related) for instance in new] + [
        (instance, [name for name in names if name not in fields or name in related])
        for instance, fields in changed
    ]
    for instance, exclude in checks:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    model.objects.bulk_create(new, batch_size=500)
    now = timezone.now()
    by_fields: dict[tuple[str, ...], list[M]] = defaultdict(list)
    for instance, fields in changed:
        if hasattr(instance, "updated_at"):
            instance.updated_at = now
            fields = [*fields, "updated_at"]
        by_fields[tuple(sorted(set(fields)))].append(instance)
    for fields, instances in by_fields.items():
        model.objects.bulk_update(instances, fields, batch_size=500)


@transaction.atomic
def student_bulk_save(
    *, new: Sequence[Student], changed: Sequence[tuple[Student, Sequence[str]]]
) -> None:
    """Inserts the `new` students and writes only the listed fields of the `changed` ones.

    For imports: a few queries whatever the number of rows. Every record is validated
    (`full_clean`, foreign keys and uniqueness left to the database) before anything is written;
    the linked account (`user`) is never touched.
    """
    _bulk_save(Student, new=new, changed=changed)


@transaction.atomic
def employee_bulk_save(
    *, new: Sequence[Employee], changed: Sequence[tuple[Employee, Sequence[str]]]
) -> None:
    """`student_bulk_save` for employees."""
    _bulk_save(Employee, new=new, changed=changed)


@transaction.atomic
def programs_create(*, codes: Iterable[str]) -> dict[str, Program]:
    """Creates a program for each code, named after its code until staff rename it in the
    admin; returns them by code."""
    programs = [Program(code=code, name=code) for code in dict.fromkeys(codes)]
    for program in programs:
        program.full_clean(validate_unique=False)
    # One by one: few programs, and every backend then gives back their primary keys.
    for program in programs:
        program.save()
    return {program.code: program for program in programs}


@transaction.atomic
def student_contact_update(*, request: Any, student: Student, changes: dict[str, Any]) -> list[str]:
    """The student's own coordinates (Dossier personnel, the payment centre's confirmation);
    returns the fields that changed, audited by name (never by value)."""
    changed = [name for name, value in changes.items() if getattr(student, name) != value]
    for name in changed:
        setattr(student, name, changes[name])
    if changed:
        student.full_clean(exclude=["user"])
        student.save(update_fields=[*changed, "updated_at"])
    audit_record(
        kind=AuditEvent.Kind.CONTACT_CONFIRMED,
        request=request,
        subject=student.user,
        identifier=f"student:{student.matricule}",
        details={"changed": changed},
    )
    return changed


def schedule_retrieval_record(*, student: Student, term: Term) -> ScheduleRetrieval:
    """The first retrieval of a term's schedule (seed 001: mandatory; it confirms presence).
    The unique (student, term) constraint makes two first visits at once record one row: the
    second's insert fails and it reads the winner's row."""
    found = prepared(
        "schedule-retrieval",
        lambda values: ScheduleRetrieval.objects.filter(
            student_id=values["student"], term_id=values["term"]
        )[:1],
        {"student": student.pk, "term": term.pk},
    )
    if found:  # every visit after the first: one read, its SQL compiled once per process
        return found[0]
    try:
        with transaction.atomic():
            return ScheduleRetrieval.objects.create(student=student, term=term)
    except IntegrityError:  # another first visit at the same moment recorded it
        return ScheduleRetrieval.objects.get(student=student, term=term)


def staff_role(user: Any) -> str:
    """How a staff member is shown to the students whose file they opened: their department
    on their employee record, else their admin groups (e.g. "Registrariat"), else nothing (the
    page then says "Personnel de l'établissement")."""
    employee = getattr(user, "employee", None)
    if employee is not None and employee.department:
        return employee.department
    return ", ".join(sorted(group.name for group in user.groups.all()))[:200]


def record_access_log(
    *,
    request: HttpRequest,
    students: Iterable[Student],
    what: str,
    item: str = "",
    history: bool = False,
) -> list[RecordAccess]:
    """Writes one "Qui a consulté mon dossier" entry per student whose data the staff member
    (request.user) has on screen. A person looking at their own record writes nothing."""
    staff = request.user
    seen = [s for s in {s.pk: s for s in students}.values() if s.user_id != staff.pk]
    if not seen:
        return []
    name = (staff.get_full_name() or staff.get_username())[:200]
    role = staff_role(staff)
    ip = client_ip(request)
    return RecordAccess.objects.bulk_create(
        RecordAccess(
            student=student,
            staff=staff,
            staff_name=name,
            staff_role=role,
            what=what,
            item=str(item)[:200],
            history=history,
            ip_address=ip,
        )
        for student in seen
    )

"""Rows read from the database become the same instances with or without Model.__init__
(portal/fastload.py): every field, the state, deferred fields, and Django's own path when a
receiver listens to pre_init or post_init."""

import datetime
from decimal import Decimal

from django.db.models.signals import post_init

from students.models import Enrolment, Student, Term
from tests.students.factories_courses import enrol, make_course, make_section, make_term


def test_a_row_reads_as_django_reads_it(bob):
    term = make_term("AUT-2026", current=True)
    enrol(
        Student.objects.get(user=bob),
        make_section(term, make_course("420-1A4")),
        final_grade="81.5",
    )
    enrolment = Enrolment.objects.select_related("section__term", "section__course").get()
    assert type(enrolment.final_grade) is Decimal and enrolment.final_grade == Decimal("81.5")
    assert enrolment._state.adding is False and enrolment._state.db == "default"
    assert enrolment.section.term == term and isinstance(
        enrolment.section.term.starts_on, datetime.date
    )
    assert enrolment.section.course.code == "420-1A4"
    # Saved again as an existing row (an UPDATE), not inserted.
    enrolment.absences = 3
    enrolment.save()
    assert Enrolment.objects.get().absences == 3 and Enrolment.objects.count() == 1


def test_a_deferred_field_is_read_when_asked_for(db):
    make_term("AUT-2026", current=True)
    term = Term.objects.only("code").get()
    assert "ends_on" not in term.__dict__
    assert term.get_deferred_fields() == {"starts_on", "ends_on"}
    assert isinstance(term.ends_on, datetime.date)  # loaded on demand


def test_a_listener_on_post_init_still_hears_every_row(db):
    make_term("AUT-2026", current=True)
    heard = []

    def listen(sender, instance, **kwargs):
        heard.append(instance)

    post_init.connect(listen, sender=Term)
    try:
        term = Term.objects.get()
    finally:
        post_init.disconnect(listen, sender=Term)
    assert heard == [term]

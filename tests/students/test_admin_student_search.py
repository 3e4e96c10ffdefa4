"""The students' admin search finds the ids first, then the page among them: the page's query
never tests the folded names row by row (docs/performance.md: at 50,000 students PostgreSQL
walked the list's order index doing so, 359 ms; 26 ms now)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_student


def test_the_page_is_read_among_the_ids_the_search_found(admin_client, institution):
    belanger = make_student(
        institution, matricule="2026001", last_name="Bélanger", first_name="Éloïse"
    )
    make_student(institution, matricule="2026002", last_name="Belair", first_name="Louis")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:students_student_changelist"), {"q": "belanger"})
    assert [student.pk for student in response.context["cl"].result_list] == [belanger.pk]
    # Only the query of the ids tests the names; the count and the page read the ids found.
    searching = [q["sql"] for q in queries if "portail_fold" in q["sql"]]
    assert len(searching) == 1, searching
    assert searching[0].startswith('SELECT "students_student"."id"'), searching[0]

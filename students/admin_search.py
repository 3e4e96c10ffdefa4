"""Admin searches that stay fast at a college's size (docs/performance.md).

The admin's default search ORs every search field of every word, across joins: for the
enrolments of 50,000 students, PostgreSQL then reads every enrolment to test the student's name.
Here a word first finds the students (one table, through its indexes: a prefix of the matricule,
a part of the name without its accents, on PostgreSQL a trigram index — students' migrations
`0008_search_indexes` and `0010_unaccent_search`), then the records by `student_id`, through
the foreign key's index; the record's own fields are searched by `own_search` (a prefix,
through their indexes).
"""

from django.db.models import Q, QuerySet
from django.db.models.lookups import Contains
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

from students.models import Student
from students.search import Fold, fold


def search_words(search_term: str) -> list[str]:
    """The words of an admin search, as Django splits them ("two words" in quotes is one)."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1] and len(bit) > 1:
            bit = unescape_string_literal(bit)
        if bit:
            words.append(bit)
    return words


def student_match(word: str) -> Q:
    """A student found by a word: the matricule starts with it, or a name contains it without
    regard to accents or case ("belanger" finds Bélanger; students.search)."""
    folded = fold(word)
    return (
        Q(matricule__istartswith=word)
        | Q(Contains(Fold("last_name"), folded))
        | Q(Contains(Fold("first_name"), folded))
    )


class StudentSearchMixin:
    """For the admin list of a student's records (enrolments, invoices, payments): each word
    finds the students, then their records, or the record by its own fields (`own_search`)."""

    def own_search(self, word: str) -> Q | None:
        """The record found by its own fields (None: by its student only)."""
        return None

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        for word in search_words(search_term):
            students = list(
                Student.objects.filter(student_match(word))
                .order_by()  # ids only: no sort by name
                .values_list("pk", flat=True)
            )
            found = Q(student_id__in=students)
            own = self.own_search(word)
            if own is not None:
                found |= own
            queryset = queryset.filter(found)
        return queryset, False

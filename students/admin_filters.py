"""List filters of the registrar's admin that need more than a field lookup."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from students.models import Enrolment, ScheduleRetrieval, Term

RETRIEVED = "recupere"
NOT_RETRIEVED = "non-recupere"


class ScheduleRetrievedFilter(admin.SimpleListFilter):
    """Students enrolled in a term who have (or have not) retrieved its schedule: seed 001
    makes retrieval mandatory, so the registrar follows up on those who have not."""

    title = _("horaire récupéré")
    parameter_name = "horaire"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        choices = []
        for code in Term.objects.order_by("-starts_on").values_list("code", flat=True):
            choices.append((f"{code}:{RETRIEVED}", _("%(term)s : récupéré") % {"term": code}))
            choices.append(
                (f"{code}:{NOT_RETRIEVED}", _("%(term)s : non récupéré") % {"term": code})
            )
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        code, _sep, state = self.value().rpartition(":")
        if not code or state not in (RETRIEVED, NOT_RETRIEVED):
            return queryset.none()
        # Exists rather than joins: a student with six courses in the term is listed once.
        enrolled = Exists(
            Enrolment.objects.filter(student=OuterRef("pk"), section__term__code=code)
        )
        retrieved = Exists(
            ScheduleRetrieval.objects.filter(student=OuterRef("pk"), term__code=code)
        )
        return queryset.filter(enrolled, retrieved if state == RETRIEVED else ~retrieved)

"""`import_csv choice_windows`: each term's registration calendar, found by the term's code:
the course choice window (opens, closes), the enrolment confirmation deadline and the late
fee. An empty deadline or fee takes the institution's (seed 001: 20 September or 15 February,
25 $); the term must exist (import its sections first)."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Institution
from registration.models import TermRegistration
from students.imports import cells, register
from students.imports.engine import Importer, Plan
from students.imports.reading import Row
from students.models import Term


def moment(value: str, header: str, *, end_of_day: bool) -> datetime.datetime:
    """AAAA-MM-JJ or AAAA-MM-JJ HH:MM, local time. A date alone opens at 0 h, or, for a
    closing, closes at the end of that day."""
    day_text, _space, time_text = value.partition(" ")
    day = cells.date(day_text, header)
    if day is None:
        raise ValidationError(_("« %(name)s » est vide.") % {"name": header})
    if time_text:
        at = datetime.datetime.combine(day, cells.time(time_text.strip(), header))
    else:
        at = datetime.datetime.combine(day + datetime.timedelta(days=end_of_day), datetime.time())
    return timezone.make_aware(at)


def default_deadline(term: Term, institution: Institution) -> datetime.date | None:
    """The first of the institution's dates (MM-JJ) that falls within the term."""
    for text in (institution.enrolment_confirmation_dates or "").split():
        month, day = (int(part) for part in text.split("-"))
        for year in (term.starts_on.year, term.ends_on.year):
            try:
                candidate = datetime.date(year, month, day)
            except ValueError:
                continue
            if term.starts_on <= candidate <= term.ends_on:
                return candidate
    return None


@register
class ChoiceWindowImporter(Importer):
    kind = "choice_windows"
    label = gettext_lazy("Calendriers d'inscription (choix de cours, confirmation)")
    model = TermRegistration
    key = "term"
    columns: ClassVar[dict[str, str]] = {
        "term": "term",
        "choice_opens": "choice_opens",
        "choice_closes": "choice_closes",
        "confirmation_deadline": "confirmation_deadline",
        "late_fee": "late_fee",
    }
    required = frozenset({"term", "choice_opens", "choice_closes"})

    def prepare(self, rows: Sequence[Row]) -> None:
        self.terms = {cells.term_key(term.code): term for term in Term.objects.all()}
        for registration in TermRegistration.objects.select_related("term"):
            self.existing[registration.term] = registration  # type: ignore[index]

    def initial(self) -> dict[str, Any]:
        # A new term's schedule change fee is the institution's (its window is set in the
        # admin: docs/registration.md).
        return {"change_fee": self.institution.schedule_change_fee}

    def clean_term(self, value: str) -> Term:
        term = self.terms.get(cells.term_key(value))
        if term is None:
            raise ValidationError(
                _(
                    "la session « %(value)s » n'existe pas. Importez d'abord ses groupes-cours "
                    "(import_csv sections)."
                )
                % {"value": value}
            )
        return term

    def clean_choice_opens(self, value: str) -> datetime.datetime:
        return moment(value, "choice_opens", end_of_day=False)

    def clean_choice_closes(self, value: str) -> datetime.datetime:
        return moment(value, "choice_closes", end_of_day=True)

    def clean_confirmation_deadline(self, value: str) -> datetime.date | None:
        return cells.date(value, "confirmation_deadline")

    def clean_late_fee(self, value: str) -> Decimal | None:
        if not value:
            return None
        return cells.decimal(
            value, "late_fee", low=Decimal(0), high=Decimal("99999.99"), example="25.00"
        )

    def _check_field(self, header: str, value: Any) -> list[str]:
        # An empty deadline or fee is filled in by clean_row, not refused as a null.
        return [] if value is None else super()._check_field(header, value)

    def clean_row(self, values: dict[str, Any], instance: models.Model) -> list[str]:
        assert isinstance(instance, TermRegistration)
        errors = []
        term = values["term"]
        if values.get("confirmation_deadline") is None:
            values.pop("confirmation_deadline", None)
            if instance.pk is None:
                deadline = default_deadline(term, self.institution)
                if deadline is None:
                    errors.append(
                        _(
                            "« confirmation_deadline » est vide et aucune date de "
                            "l'établissement (%(dates)s) ne tombe dans la session %(term)s."
                        )
                        % {
                            "dates": self.institution.enrolment_confirmation_dates or "—",
                            "term": term.code,
                        }
                    )
                else:
                    values["confirmation_deadline"] = deadline
        if values.get("late_fee") is None:
            values.pop("late_fee", None)
            if instance.pk is None:
                values["late_fee"] = self.institution.enrolment_late_fee
        opens = values.get("choice_opens", instance.choice_opens)
        closes = values.get("choice_closes", instance.choice_closes)
        if opens and closes and opens >= closes:
            errors.append(_("« choice_closes » doit suivre « choice_opens »."))
        return errors

    def apply(self, plans: Sequence[Plan]) -> None:
        for plan in plans:  # a few rows a year
            if plan.created or plan.changes:
                plan.instance.save()

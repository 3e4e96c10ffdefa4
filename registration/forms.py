"""The course choice form: the grid's courses as checkboxes, one rank field per elective
course, and the password again (portal.reauth). Ids the page did not offer are not a form
error but a tampered request: `offered_ids_or_404` answers 404 before anything is checked."""

from typing import Any

from django import forms
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.reauth import PasswordAgainForm
from registration.selectors import ChoiceOffer


def rank_field_name(list_id: int, course_id: int) -> str:
    return f"rank-{list_id}-{course_id}"


def offered_ids_or_404(data: QueryDict, offer: ChoiceOffer) -> None:
    """A course id or an elective field the page never showed: the request was tampered with."""
    grid = {str(pk) for pk in offer.grid_ids}
    if any(value not in grid for value in data.getlist("courses")):
        raise Http404
    ranks = {rank_field_name(e.elective_list.pk, c.pk) for e in offer.electives for c in e.courses}
    if any(name.startswith("rank-") and name not in ranks for name in data):
        raise Http404


class CourseChoiceForm(PasswordAgainForm):
    courses = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Cours de la grille de cheminement"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["courses"]

    def __init__(self, *args: Any, offer: ChoiceOffer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.fields["courses"].choices = [
            (course.pk, f"{course.code} {course.title}")
            for course in offer.proposed + offer.addable
        ]
        if not self.is_bound:
            self.initial.setdefault("courses", [course.pk for course in offer.proposed])
        for elective in offer.electives:
            for course in elective.courses:
                self.fields[rank_field_name(elective.elective_list.pk, course.pk)] = (
                    forms.IntegerField(
                        label=f"{course.code} {course.title}",
                        min_value=1,
                        max_value=elective.ranks,
                        required=False,
                        widget=forms.NumberInput(attrs={"class": "form-control rank-input"}),
                    )
                )
        # The password last, after the choices it confirms.
        self.order_fields([name for name in self.fields if name != "password"] + ["password"])

    def rank_fields(self, elective: Any) -> list[forms.BoundField]:
        return [
            self[rank_field_name(elective.elective_list.pk, course.pk)]
            for course in elective.courses
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ranks: dict[int, dict[int, int]] = {}
        for elective in self.offer.electives:
            given = {}
            for course in elective.courses:
                rank = cleaned.get(rank_field_name(elective.elective_list.pk, course.pk))
                if rank is not None:
                    given[course.pk] = rank
            values = sorted(given.values())
            name = elective.elective_list.name
            if len(set(values)) != len(values):
                self.add_error(
                    None,
                    _("« %(list)s » : chaque rang ne peut être donné qu'une fois.")
                    % {"list": name},
                )
            elif values != list(range(1, elective.ranks + 1)):
                missing = sorted(set(range(1, elective.ranks + 1)) - set(values))
                self.add_error(
                    None,
                    _(
                        "« %(list)s » : donnez les rangs 1 à %(count)d, chacun une fois "
                        "(rang manquant : %(missing)s)."
                    )
                    % {
                        "list": name,
                        "count": elective.ranks,
                        "missing": ", ".join(str(rank) for rank in missing),
                    },
                )
            ranks[elective.elective_list.pk] = given
        if not cleaned.get("courses") and not any(ranks.values()):
            self.add_error(None, _("Choisissez au moins un cours."))
        cleaned["ranks"] = ranks
        return cleaned

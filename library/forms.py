from django import forms
from django.utils.translation import gettext_lazy as _

from library.models import DocumentType, language_name

QUERY_MAX_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mots à chercher"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        help_text=_("Titre, auteur ou sujet. Les accents et les majuscules ne comptent pas."),
    )
    type = forms.ChoiceField(
        label=_("Type de document"),
        required=False,
        choices=[("", _("Tous les types")), *DocumentType.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    language = forms.ChoiceField(
        label=_("Langue"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    available = forms.BooleanField(
        label=_("Disponible maintenant"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: object, languages: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("Toutes les langues")),
            *((code, language_name(code)) for code in languages),
        ]

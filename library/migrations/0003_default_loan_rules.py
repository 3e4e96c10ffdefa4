"""The loan rules a library starts with, one per type of document; staff change them in the
admin (Bibliothèque › Règles de prêt)."""

from django.db import migrations

DEFAULTS = {
    # document type: (loan days, renewals, overdue days after which no renewal)
    "book": (21, 2, 7),
    "periodical": (7, 1, 3),
    "video": (7, 1, 3),
    "audio": (14, 1, 7),
    "map": (14, 1, 7),
    "electronic": (14, 1, 7),
    "other": (14, 1, 7),
}


def create(apps, schema_editor):
    LoanRule = apps.get_model("library", "LoanRule")
    for document_type, (days, renewals, limit) in DEFAULTS.items():
        LoanRule.objects.get_or_create(
            document_type=document_type,
            defaults={"loan_days": days, "max_renewals": renewals, "overdue_limit_days": limit},
        )


class Migration(migrations.Migration):
    dependencies = [("library", "0002_french_unaccent_search")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

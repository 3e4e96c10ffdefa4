"""The `portal_fr` collation (portal.collation) on PostgreSQL: ICU fr-CA, deterministic, so
that LIKE and the trigram indexes on the name fields keep working. SQLite registers its own
on each connection."""

from django.db import migrations

CREATE = "CREATE COLLATION IF NOT EXISTS portal_fr (provider = icu, locale = 'fr-CA')"
DROP = "DROP COLLATION IF EXISTS portal_fr"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("portal", "0014_audit_kinds_after_merge")]

    operations = [migrations.RunPython(create, drop)]

"""`migrate` is enough: the database cache's table (throttles live in the cache) is created
here, with Django's own `createcachetable`, for every cache of the settings that uses the
database backend. With Redis (REDIS_URL) there is no such cache and this does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # createcachetable skips a table that already exists and a cache that is not in the database.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_audit_import_and_captcha_kinds")]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False),
    ]

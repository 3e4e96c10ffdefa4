"""Accent-blind name searches on PostgreSQL (students.search): the `unaccent` extension, an
IMMUTABLE `portail_fold(text)` = lower(unaccent(text)) (unaccent alone is STABLE, and an index
needs IMMUTABLE; the dictionary is named with its schema so that the function does not depend on
the search_path), and trigram GIN indexes on the folded names. Nothing on SQLite, where
students.search registers the same function in Python on each connection.
"""

from django.db import migrations

INDEXES = [
    ("students_student_last_name_fold_trgm", "last_name"),
    ("students_student_first_name_fold_trgm", "first_name"),
]

FUNCTION = """
CREATE OR REPLACE FUNCTION portail_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(FUNCTION)
    for name, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "students_student" '
            f'USING gin ((portail_fold("{column}")) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS portail_fold(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0009_list_order_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

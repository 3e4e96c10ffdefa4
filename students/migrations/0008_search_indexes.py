"""Indexes for the admin's searches at a college's size, on PostgreSQL only (docs/performance.md).

The admin searches with `UPPER(column::text) LIKE UPPER('…')`: a trigram GIN index (pg_trgm) on
the same expression serves "contains" (a part of a name or an email), a `text_pattern_ops` index
serves "starts with" (a matricule, a code permanent). SQLite has neither and reads its small
tables whole: there the migration does nothing.
"""

from django.db import migrations

INDEXES = [
    ("students_student_last_name_trgm", "students_student", "last_name", "gin", "gin_trgm_ops"),
    ("students_student_first_name_trgm", "students_student", "first_name", "gin", "gin_trgm_ops"),
    ("students_student_email_trgm", "students_student", "email", "gin", "gin_trgm_ops"),
    (
        "students_student_matricule_prefix",
        "students_student",
        "matricule",
        "btree",
        "text_pattern_ops",
    ),
    (
        "students_student_code_permanent_prefix",
        "students_student",
        "code_permanent",
        "btree",
        "text_pattern_ops",
    ),
    ("students_course_code_prefix", "students_course", "code", "btree", "text_pattern_ops"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column, method, opclass in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING {method} ((UPPER("{column}"::text)) {opclass})'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, *_rest in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("students", "0007_section_capacity"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

"""Prefix indexes for the admin's searches of invoices and payments, on PostgreSQL only (see
students' migration 0008_search_indexes)."""

from django.db import migrations

INDEXES = [
    ("billing_invoice_number_prefix", "billing_invoice", "number"),
    ("billing_payment_reference_prefix", "billing_payment", "reference"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'((UPPER("{column}"::text)) text_pattern_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_invoice_line_tax_eligible"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]

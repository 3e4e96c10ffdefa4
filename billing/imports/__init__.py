"""The payment centre's import kinds (found by `students.imports.importers()`):
`invoices` (billing.imports.invoices)."""

from billing.imports import invoices  # noqa: F401 - registers the kind

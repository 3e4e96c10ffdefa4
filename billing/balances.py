"""The invoices' stored balance (`Invoice.stored_balance`), kept equal to the balance computed
from their lines and approved payments (`billing.selectors.balance_expression`).

Signals would not do: invoice lines and allocations are written with `bulk_create`, COPY-like
batches and queryset updates, which send none. So every write that changes what an invoice
owes calls `invoice_balances_refresh` with the invoices it touched, inside its transaction:
the payment services (approved, refunded, in person), a contribution removed or put back, the
fees other modules charge (`invoice_fee_charge`, attestations, the school store), the admin's
invoice form and the invoices import (once per batch, one UPDATE for the whole batch).
`manage.py check_balances` finds (and with `--fix` repairs) any drift.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import F, Q, QuerySet

from billing.models import Invoice
from billing.selectors import balance_expression
from students.imports import chunks


def invoice_balances_refresh(invoice_ids: Iterable[int]) -> int:
    """Recomputes these invoices' stored balance in the database, set-based (one UPDATE per
    chunk of ids); returns how many rows changed. Call it inside the transaction that changed
    the lines or payments.

    The invoices' rows are locked first, in primary-key order, and the UPDATE runs as a later
    statement: under PostgreSQL's READ COMMITTED each statement sees what was committed when it
    started, so a second payment of the same invoice committed meanwhile is counted (an UPDATE
    that waited for the row lock would re-read the row but not its subqueries)."""
    ids = sorted({int(pk) for pk in invoice_ids if pk is not None})
    changed = 0
    with transaction.atomic():
        for chunk in chunks(ids):
            changed += _refresh(chunk)
    return changed


def _refresh(chunk: Sequence[int]) -> int:
    list(Invoice.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values("pk"))
    return (
        Invoice.objects.filter(pk__in=chunk)
        .annotate(computed=balance_expression())
        .filter(~Q(stored_balance=F("computed")))
        .update(stored_balance=balance_expression())
    )


def invoices_drifted(queryset: QuerySet | None = None) -> QuerySet:
    """The invoices whose stored balance differs from the computed one, annotated with
    `computed`."""
    queryset = Invoice.objects.all() if queryset is None else queryset
    return (
        queryset.annotate(computed=balance_expression())
        .filter(~Q(stored_balance=F("computed")))
        .order_by("pk")
    )

from typing import Any

from django.http import HttpRequest

from billing.selectors import (
    balance_amount,
    balance_due,
    balance_due_expression,
    overdue_expression,
)
from portal.home import home_panel, home_requested
from students.home import student_of, student_row_extra

BALANCE = "billing_balance_due"
OVERDUE = "billing_overdue"


@student_row_extra
def billing_row(request: HttpRequest) -> dict[str, Any] | None:
    """Read with the student's row: the home page's balance, and whether an overdue invoice
    restricts the portal where the institution says so (billing.middleware)."""
    institution = getattr(request, "institution", None)
    if institution is None:
        return None
    extras: dict[str, Any] = {}
    if institution.restrict_on_overdue:
        extras[OVERDUE] = lambda values: overdue_expression(values["today"])
    if institution.module_enabled("payments") and home_requested(request):
        extras[BALANCE] = lambda values: balance_due_expression()
    return extras


@home_panel("billing/_home_balance.html", order=10, whats_new=True)
def balance_panel(request: HttpRequest) -> dict[str, Any] | None:
    """ "Solde à payer de X $", linking to the payment centre."""
    if not request.institution.module_enabled("payments"):
        return None
    student = student_of(request)
    if student is None:
        return None
    if BALANCE in student.__dict__:
        return {"balance": balance_amount(student.__dict__[BALANCE])}
    return {"balance": balance_due(student)}

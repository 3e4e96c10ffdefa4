from typing import Any

from django.http import HttpRequest

from billing.selectors import balance_due
from portal.home import home_panel
from students.home import student_of


@home_panel("billing/_home_balance.html", order=10, whats_new=True)
def balance_panel(request: HttpRequest) -> dict[str, Any] | None:
    """ "Solde à payer de X $", linking to the payment centre."""
    if not request.institution.module_enabled("payments"):
        return None
    student = student_of(request)
    if student is None:
        return None
    return {"balance": balance_due(student)}

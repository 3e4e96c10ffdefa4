"""Demo invoices, so that the payment centre has something to pay (README lists them)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from billing.balances import invoice_balances_refresh
from billing.models import Invoice, InvoiceLine
from portal.demo import demo_is_school_board, demo_step
from portal.models import Institution
from students.models import Student

# matricule suffix, number, session, description, days until due, lines (description, amount,
# voluntary)
INVOICES = [
    (
        1,
        "FAC00000397",
        "AUT-2026",
        "Droits de scolarité",
        30,
        [
            ("Droits d'inscription", "175.00", False),
            ("Frais de services aux étudiants", "100.00", False),
            ("Association étudiante", "25.00", True),
        ],
    ),
    (
        1,
        "FAC00000398",
        "AUT-2026",
        "Activités parascolaires",
        45,
        [
            ("Activités sportives et culturelles", "40.00", False),
            ("Fondation du cégep", "10.00", True),
        ],
    ),
    (
        2,
        "FAC00000401",
        "AUT-2026",
        "Droits de scolarité",
        30,
        [
            ("Droits d'inscription", "150.00", False),
        ],
    ),
    (
        12,
        "FAC00000405",
        "AUT-2026",
        "Confirmation d'inscription tardive",
        -20,
        [
            ("Frais de retard", "25.00", False),
        ],
    ),
    (
        19,
        "FAC00000409",
        "HIV-2027",
        "Droits de scolarité",
        60,
        [
            ("Droits d'inscription", "175.00", False),
            ("Association étudiante", "25.00", True),
        ],
    ),
]


# At a school board (`cepeo`) no tuition: a secondary school's fees, on the same students and
# numbers (a lab fee, a workbook, a team's registration; a donation as the voluntary line).
SCHOOL_BOARD_INVOICES = [
    (
        1,
        "FAC00000397",
        "AUT-2026",
        "Frais d'activités étudiantes",
        30,
        [
            ("Carte d'activités étudiantes", "40.00", False),
            ("Frais de laboratoire de sciences", "15.00", False),
            ("Don au conseil des élèves", "10.00", True),
        ],
    ),
    (
        1,
        "FAC00000398",
        "AUT-2026",
        "Sortie éducative",
        45,
        [
            ("Sortie au Musée canadien de la nature", "25.00", False),
            ("Don à la fondation de l'école", "5.00", True),
        ],
    ),
    (2, "FAC00000401", "AUT-2026", "Cahiers d'exercices", 30, [
        ("Cahier d'exercices de mathématiques (MHF4U)", "22.50", False),
    ]),
    (12, "FAC00000405", "AUT-2026", "Matériel scolaire", -20, [
        ("Calculatrice (remplacement)", "25.00", False),
    ]),
    (19, "FAC00000409", "HIV-2027", "Sports scolaires", 60, [
        ("Inscription à l'équipe de volleyball", "60.00", False),
        ("Don au conseil des élèves", "10.00", True),
    ]),
]  # fmt: skip


@demo_step(order=30)
def demo_invoices(institution: Institution) -> list[str]:
    if not institution.module_enabled("payments"):
        return []
    length = institution.identifier_length
    today = timezone.localdate()
    lines = ["", "Invoices (Centre de paiement):"]
    rows = SCHOOL_BOARD_INVOICES if demo_is_school_board(institution) else INVOICES
    for suffix, number, session, description, days, fees in rows:
        matricule = f"{2026000 + suffix}"[-length:].rjust(length, "0")
        student = Student.objects.filter(matricule=matricule).first()
        if student is None:
            continue
        invoice, created = Invoice.objects.get_or_create(
            number=number,
            defaults={
                "student": student,
                "session": session,
                "description": description,
                "due_date": today + datetime.timedelta(days=days),
            },
        )
        if created:
            InvoiceLine.objects.bulk_create(
                InvoiceLine(
                    invoice=invoice,
                    description=text,
                    amount=Decimal(amount),
                    voluntary=voluntary,
                    position=position,
                )
                for position, (text, amount, voluntary) in enumerate(fees)
            )
            invoice_balances_refresh([invoice.pk])
        total = sum(Decimal(amount) for _text, amount, _voluntary in fees)
        late = " (overdue)" if days < 0 else ""
        voluntary = [f"{text} {amount} $" for text, amount, optional in fees if optional]
        contribution = f" [voluntary: {', '.join(voluntary)}]" if voluntary else ""
        lines.append(f"  {matricule}  {number}  {total:.2f} $  {description}{late}{contribution}")
    lines.append(
        "Demo card: 4242 4242 4242 4242 approves, 4000 0000 0000 0002 is declined, "
        "4000 0000 0000 9995 is declined for insufficient funds "
        "(any future expiry, any 3-digit code)."
    )
    return lines

"""`python manage.py import_csv invoices FILE [--dry-run]`, as the registrar runs it."""

import csv
import datetime
import io
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from billing.balances import invoice_balances_refresh
from billing.models import Allocation, Invoice, InvoiceLine, Payment
from portal.selectors import institution_current
from students.models import Student
from tests.factories import make_invoice, make_student

HEADERS = [
    "matricule",
    "session",
    "invoice_number",
    "description",
    "due_date",
    "line_description",
    "amount",
    "voluntary",
]


def line(number: str, line_description: str, amount: str, voluntary: str = "non", **fields: str):
    return {
        "matricule": "2026201",
        "session": "AUT-2026",
        "invoice_number": number,
        "description": "Droits de scolarité",
        "due_date": "2026-09-15",
        "line_description": line_description,
        "amount": amount,
        "voluntary": voluntary,
        **fields,
    }


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    headers: list[str] = HEADERS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[values.get(header, "") for header in headers] for values in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_csv", "invoices", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(path, *args)
    return str(excinfo.value)


def lines_of(number: str) -> list[tuple[str, Decimal, bool, bool]]:
    return [
        (line.description, line.amount, line.voluntary, line.removed)
        for line in InvoiceLine.objects.filter(invoice__number=number).order_by("position")
    ]


def snapshot() -> list[tuple]:
    """Every invoice and line as stored, to show that nothing was written."""
    return [
        *Invoice.objects.order_by("number").values_list(
            "number", "student__matricule", "session", "description", "due_date", "status"
        ),
        *InvoiceLine.objects.order_by("invoice__number", "position").values_list(
            "pk", "invoice__number", "description", "amount", "voluntary", "removed", "position"
        ),
    ]


@pytest.fixture
def students(institution):
    return {
        "2026201": make_student(
            institution, matricule="2026201", last_name="Côté", first_name="Étienne", sex="M"
        ),
        "2026202": make_student(
            institution, matricule="2026202", last_name="Nguyễn", first_name="Thị Hoa"
        ),
    }


TUITION = [
    line("FAC00000397", "Droits d'inscription", "175.00"),
    line("FAC00000397", "Frais de services aux étudiants", "100.00"),
    line("FAC00000397", "Association étudiante", "25.00", "oui"),
    line(
        "FAC00000398",
        "Activités sportives et culturelles",
        "40.00",
        description="Activités parascolaires",
        due_date="2026-10-01",
    ),
    line(
        "FAC00000401",
        "Droits d'inscription — réadmission",
        "150.00",
        matricule="2026202",
        session="HIV-2027",
        description="Droits de scolarité (hiver)",
        due_date="2027-01-15",
    ),
]


def test_creates_invoices_grouping_their_lines_with_accents(students, tmp_path):
    output = run(write_csv(tmp_path / "factures.csv", TUITION))

    assert "5 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    assert "Factures : 3 créée(s), 0 modifiée(s), 0 inchangée(s)." in output
    assert Invoice.objects.count() == 3
    tuition = Invoice.objects.get(number="FAC00000397")
    assert tuition.student == students["2026201"]
    assert (tuition.session, tuition.description) == ("AUT-2026", "Droits de scolarité")
    assert tuition.due_date == datetime.date(2026, 9, 15)
    assert tuition.status == Invoice.Status.OPEN
    assert lines_of("FAC00000397") == [
        ("Droits d'inscription", Decimal("175.00"), False, False),
        ("Frais de services aux étudiants", Decimal("100.00"), False, False),
        ("Association étudiante", Decimal("25.00"), True, False),
    ]
    assert list(tuition.lines.values_list("position", flat=True)) == [0, 1, 2]
    assert Invoice.objects.get(number="FAC00000398").description == "Activités parascolaires"
    winter = Invoice.objects.get(number="FAC00000401")
    assert winter.student == students["2026202"]
    assert (winter.session, winter.due_date) == ("HIV-2027", datetime.date(2027, 1, 15))
    assert lines_of("FAC00000401") == [
        ("Droits d'inscription — réadmission", Decimal("150.00"), False, False)
    ]


def test_rows_of_one_invoice_need_not_follow_each_other(students, tmp_path):
    rows = [TUITION[0], TUITION[3], TUITION[1]]

    output = run(write_csv(tmp_path / "factures.csv", rows))

    assert "Factures : 2 créée(s)" in output
    assert [line[0] for line in lines_of("FAC00000397")] == [
        "Droits d'inscription",
        "Frais de services aux étudiants",
    ]


@pytest.mark.parametrize(
    ("cell", "voluntary"),
    [
        ("oui", True),
        ("OUI", True),
        ("Non", False),
        ("yes", True),
        ("No", False),
        ("1", True),
        ("0", False),
        ("vrai", True),
        ("FAUX", False),
    ],
)
def test_voluntary_is_read_in_french_or_english_without_case(students, tmp_path, cell, voluntary):
    run(write_csv(tmp_path / "factures.csv", [line("FAC1", "Fondation du cégep", "10.00", cell)]))

    assert InvoiceLine.objects.get().voluntary is voluntary


def test_amounts_are_decimals_with_a_point_or_a_french_comma(students, tmp_path):
    rows = [
        line("FAC1", "Droits", "275"),
        line("FAC1", "Frais", "12,5"),
        line("FAC1", "Cotisation", "0.10", "oui"),
    ]
    # Excel in French: semicolons, a BOM, and the comma as decimal mark.
    path = write_csv(tmp_path / "excel.csv", rows, delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfmatricule;")

    run(path)

    amounts = [amount for _d, amount, _v, _r in lines_of("FAC1")]
    assert amounts == [Decimal("275.00"), Decimal("12.50"), Decimal("0.10")]
    assert sum(amounts) == Decimal("287.60")
    # A comma-separated file may carry the comma too, in quotes as Excel writes it.
    path = write_csv(tmp_path / "virgules.csv", [line("FAC2", "Droits", "1234,56")])
    assert b'"1234,56"' in path.read_bytes()
    run(path)
    assert InvoiceLine.objects.get(invoice__number="FAC2").amount == Decimal("1234.56")


def test_second_run_changes_nothing(students, tmp_path):
    path = write_csv(tmp_path / "factures.csv", TUITION)
    run(path)
    before = snapshot()

    output = run(path)

    assert "0 création(s), 0 mise(s) à jour, 5 inchangé(s)" in output
    assert "Factures : 0 créée(s), 0 modifiée(s), 3 inchangée(s)." in output
    assert snapshot() == before  # the same line ids: nothing was rewritten


def test_a_changed_amount_replaces_the_lines_of_that_invoice_only(students, tmp_path):
    run(write_csv(tmp_path / "a.csv", TUITION))
    other_ids = list(
        InvoiceLine.objects.exclude(invoice__number="FAC00000397").values_list("pk", flat=True)
    )
    rows = [dict(row) for row in TUITION]
    rows[0]["amount"] = "180.00"

    output = run(write_csv(tmp_path / "b.csv", rows), "-v", "2")

    assert "0 création(s), 1 mise(s) à jour, 4 inchangé(s)" in output
    assert "Factures : 0 créée(s), 1 modifiée(s), 2 inchangée(s)." in output
    assert (
        "Ligne 2 : mise à jour de FAC00000397 : Droits d'inscription : "
        "montant « 175.00 » → « 180.00 »"
    ) in output
    assert lines_of("FAC00000397")[0] == ("Droits d'inscription", Decimal("180.00"), False, False)
    assert len(lines_of("FAC00000397")) == 3
    assert sorted(
        InvoiceLine.objects.exclude(invoice__number="FAC00000397").values_list("pk", flat=True)
    ) == sorted(other_ids)


def test_invoice_fields_and_lines_are_updated_and_named(students, tmp_path):
    make_invoice(
        students["2026201"],
        number="FAC00000397",
        description="Droits",
        lines=(("Droits d'inscription", "175.00", False), ("Assurance", "12.00", False)),
    )
    rows = [
        line("FAC00000397", "Droits d'inscription", "175.00"),
        line("FAC00000397", "Association étudiante", "25.00", "oui"),
    ]

    output = run(write_csv(tmp_path / "factures.csv", rows), "--dry-run")

    assert "Ligne 2 : mise à jour de FAC00000397 : Droits d'inscription : " in output
    assert "description « Droits » → « Droits de scolarité »" in output
    assert "échéance « " in output
    assert "ligne retirée « Assurance (12.00 $) » → « (vide) »" in output
    assert (
        "Ligne 3 : création de FAC00000397 : Association étudiante (25.00 $, volontaire)" in output
    )
    assert "1 création(s), 1 mise(s) à jour, 0 inchangé(s)" in output

    run(write_csv(tmp_path / "factures.csv", rows))

    invoice = Invoice.objects.get()
    assert (invoice.description, invoice.due_date) == (
        "Droits de scolarité",
        datetime.date(2026, 9, 15),
    )
    assert lines_of("FAC00000397") == [
        ("Droits d'inscription", Decimal("175.00"), False, False),
        ("Association étudiante", Decimal("25.00"), True, False),
    ]
    assert "0 création(s), 0 mise(s) à jour, 2 inchangé(s)" in run(tmp_path / "factures.csv")


def test_dry_run_prints_the_plan_and_writes_nothing(students, tmp_path):
    make_invoice(students["2026201"], number="FAC00000398", lines=(("Activités", "40.00", False),))
    before = snapshot()
    rows = [*TUITION[:2], line("FAC00000398", "Activités", "45.00")]

    output = run(write_csv(tmp_path / "factures.csv", rows), "--dry-run")

    assert snapshot() == before
    assert output.splitlines() == [
        "Simulation (--dry-run) : rien n'a été enregistré.",
        "Ligne 2 : création de FAC00000397 (2026201, AUT-2026, échéance 15 septembre 2026) : "
        "Droits d'inscription (175.00 $)",
        "Ligne 3 : création de FAC00000397 : Frais de services aux étudiants (100.00 $)",
        "Ligne 4 : mise à jour de FAC00000398 : Activités : échéance « "
        f"{Invoice.objects.get().due_date.isoformat()} » → « 2026-09-15 » ; "
        "montant « 40.00 » → « 45.00 »",
        "Factures : 1 à créer, 1 à modifier, 0 inchangée(s).",
        "2 création(s), 1 mise(s) à jour, 0 inchangé(s)",
    ]


def test_a_file_with_bad_rows_is_refused_whole_with_every_error(students, tmp_path):
    make_invoice(students["2026201"], number="FAC00000300")
    before = snapshot()
    rows = [
        line("FAC00000397", "Droits d'inscription", "175.00"),  # 2: fine
        line("FAC00000397", "Frais", "100.00", matricule="2026202"),  # 3: other student
        line("FAC00000402", "Droits", "10.00", matricule="9999999"),  # 4: unknown matricule
        line("FAC00000403", "Droits", "12.345"),  # 5: three decimals
        line("FAC00000404", "Droits", "abc"),  # 6: not a number
        line("FAC00000405", "Droits", "-5.00"),  # 7: negative
        line("FAC00000406", "Droits", "10.00", due_date="15/09/2026"),  # 8: date format
        line("FAC00000407", "Droits", "10.00", session="Automne 2026"),  # 9: session
        line("FAC00000408", "Fondation", "10.00", "peut-être"),  # 10: voluntary
        line("FAC00000397", "Assurance", "12.00", session="HIV-2027", due_date="2026-09-30"),  # 11
        line("FAC00000409", "Droits", "0"),  # 12: zero
        line("FAC00000410", "Droits", "10.00", due_date="2026-02-30"),  # 13: no such day
        line("FAC00000411", "", "10.00"),  # 14: empty cell
        line("FAC00000397", "Droits d'inscription", "175.00", description="Autre"),  # 15
        line("FAC00000300", "Droits d'inscription", "275.00", matricule="2026202"),  # 16
    ]

    message = refused(write_csv(tmp_path / "factures.csv", rows))

    assert snapshot() == before
    errors = message.splitlines()
    assert errors[0] == "Fichier refusé : rien n'a été enregistré (15 erreur(s))."
    assert errors[1:] == [
        "Ligne 3 : la facture FAC00000397 a « matricule » = « 2026201 » à la ligne 2, "
        "mais « 2026202 » ici ; les lignes d'une même facture doivent concorder.",
        "Ligne 4 : aucun étudiant n'a le matricule « 9999999 ». Importez d'abord les étudiants "
        "(import_csv students).",
        "Ligne 5 : le montant a plus de 2 décimales (les cents) ; n'écrivez pas de séparateur "
        "de milliers. Valeur reçue : « 12.345 ».",
        "Ligne 6 : le montant doit être un nombre comme 275.00 (ou 275,00), sans symbole $ ni "
        "séparateur de milliers. Valeur reçue : « abc ».",
        "Ligne 7 : le montant doit être plus grand que 0. Valeur reçue : « -5.00 ».",
        "Ligne 8 : l'échéance doit être au format AAAA-MM-JJ. Valeur reçue : « 15/09/2026 ».",
        "Ligne 9 : la session doit avoir la forme AUT-2026 (trois lettres, un trait d'union et "
        "l'année). Valeur reçue : « Automne 2026 ».",
        "Ligne 10 : la colonne « voluntary » vaut « oui » pour une cotisation volontaire, "
        "« non » sinon. Valeur reçue : « peut-être ».",
        "Ligne 11 : la facture FAC00000397 a « session » = « AUT-2026 » à la ligne 2, "
        "mais « HIV-2027 » ici ; les lignes d'une même facture doivent concorder.",
        "Ligne 11 : la facture FAC00000397 a « due_date » = « 2026-09-15 » à la ligne 2, "
        "mais « 2026-09-30 » ici ; les lignes d'une même facture doivent concorder.",
        "Ligne 12 : le montant doit être plus grand que 0. Valeur reçue : « 0 ».",
        "Ligne 13 : l'échéance 2026-02-30 n'existe pas.",
        "Ligne 14 : la cellule « line_description » est vide ; elle est obligatoire.",
        "Ligne 15 : la facture FAC00000397 a « description » = « Droits de scolarité » à la "
        "ligne 2, mais « Autre » ici ; les lignes d'une même facture doivent concorder.",
        "Ligne 16 : la facture FAC00000300 est au dossier 2026201 ; un import ne peut pas la "
        "faire passer au dossier 2026202. Corrigez le matricule, ou donnez un autre numéro à "
        "la nouvelle facture.",
    ]


def test_a_matricule_without_its_leading_zeros_gets_the_excel_hint(load_preset, tmp_path):
    institution = load_preset("caomsc")
    make_student(institution, matricule="00875")

    message = refused(
        write_csv(tmp_path / "f.csv", [line("FAC1", "Cotisation", "50", matricule="875")])
    )

    assert "Ligne 2 : aucun étudiant n'a le " in message
    assert "« 875 »" in message
    assert "Excel" in message


def test_headers_are_checked(students, tmp_path):
    headers = [header for header in HEADERS if header != "voluntary"] + ["montant"]

    message = refused(write_csv(tmp_path / "f.csv", [TUITION[0]], headers=headers))

    assert "Ligne 1 : colonne obligatoire manquante : « voluntary »." in message
    assert "Ligne 1 : colonne inconnue : « montant »." in message


def _pay(invoice: Invoice, status: str) -> Payment:
    payment = Payment.objects.create(
        student=invoice.student,
        reference=f"REF{invoice.pk}{status[:3]}".upper(),
        provider=Payment.Provider.CASH,
        amount=Decimal("275.00"),
        status=status,
        idempotency_key=f"key-{invoice.pk}-{status}",
    )
    Allocation.objects.create(payment=payment, invoice=invoice, amount=Decimal("275.00"))
    invoice_balances_refresh([invoice.pk])  # as the payment services do
    return payment


@pytest.mark.parametrize("status", [Payment.Status.SUCCEEDED, Payment.Status.PENDING])
def test_an_invoice_with_payments_cannot_be_changed(students, tmp_path, status):
    invoice = make_invoice(
        students["2026201"],
        number="FAC00000397",
        description="Droits de scolarité",
        lines=(("Droits d'inscription", "275.00", False),),
    )
    _pay(invoice, status)
    unchanged = line(
        "FAC00000397",
        "Droits d'inscription",
        "275.00",
        due_date=invoice.due_date.isoformat(),
    )
    before = snapshot()
    rows = [line("FAC00000396", "Droits", "10.00"), {**unchanged, "amount": "300.00"}, unchanged]

    message = refused(write_csv(tmp_path / "factures.csv", rows))

    assert snapshot() == before
    assert message.splitlines()[1:] == [
        "Ligne 3 : la facture FAC00000397 a déjà des paiements ; elle ne peut plus être "
        "modifiée par import."
    ]
    # The same invoice as it is, in a later file, is no change and no error.
    output = run(write_csv(tmp_path / "pareil.csv", [unchanged]))
    assert "0 création(s), 0 mise(s) à jour, 1 inchangé(s)" in output


def test_failed_payments_do_not_block_a_change(students, tmp_path):
    invoice = make_invoice(students["2026201"], number="FAC00000397")
    _pay(invoice, Payment.Status.FAILED)

    run(write_csv(tmp_path / "f.csv", [line("FAC00000397", "Droits d'inscription", "300.00")]))

    assert lines_of("FAC00000397") == [("Droits d'inscription", Decimal("300.00"), False, False)]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (Invoice.Status.PAID, "a déjà des paiements"),
        (Invoice.Status.CANCELLED, "est annulée"),
    ],
)
def test_a_paid_or_cancelled_invoice_cannot_be_changed(students, tmp_path, status, reason):
    invoice = make_invoice(students["2026201"], number="FAC00000397")
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    before = snapshot()

    message = refused(
        write_csv(tmp_path / "f.csv", [line("FAC00000397", "Droits d'inscription", "1.00")])
    )

    assert f"Ligne 2 : la facture FAC00000397 {reason} ; " in message
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_payment_started_while_the_import_runs_is_seen(students, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises every writer anyway")
    invoice = make_invoice(students["2026201"], number="FAC00000397")
    path = write_csv(tmp_path / "f.csv", [line("FAC00000397", "Droits d'inscription", "300.00")])
    messages: list[str] = []

    def import_now() -> None:
        try:
            messages.append(refused(path))
        finally:
            connection.close()

    thread = threading.Thread(target=import_now)
    with transaction.atomic():
        # What payment_start does first: lock the student, then allocate the invoice.
        Student.objects.select_for_update().get(pk=invoice.student_id)
        _pay(invoice, Payment.Status.PENDING)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive()  # the import waits for the payment's transaction
    thread.join(timeout=30)

    assert len(messages) == 1
    assert "la facture FAC00000397 a déjà des paiements" in messages[0]
    assert lines_of("FAC00000397") == [("Droits d'inscription", Decimal("275.00"), False, False)]


def test_a_contribution_the_student_removed_stays_removed(students, tmp_path):
    invoice = make_invoice(
        students["2026201"],
        number="FAC00000397",
        description="Droits de scolarité",
        lines=(
            ("Droits d'inscription", "175.00", False),
            ("Association étudiante", "25.00", True),
            ("Fondation du cégep", "10.00", True),
        ),
    )
    InvoiceLine.objects.filter(invoice=invoice, voluntary=True).update(removed=True)
    invoice_balances_refresh([invoice.pk])  # as contribution_set does
    due = invoice.due_date.isoformat()
    rows = [
        line("FAC00000397", "Droits d'inscription", "180.00", due_date=due),
        line("FAC00000397", "Association étudiante", "25.00", "oui", due_date=due),
        line("FAC00000397", "Fondation du cégep", "15.00", "oui", due_date=due),
    ]

    output = run(write_csv(tmp_path / "factures.csv", rows))

    assert "0 création(s), 2 mise(s) à jour, 1 inchangé(s)" in output
    # The same line (description and amount) keeps the student's choice; a changed one does not,
    # and the registrar is told.
    assert lines_of("FAC00000397") == [
        ("Droits d'inscription", Decimal("180.00"), False, False),
        ("Association étudiante", Decimal("25.00"), True, True),
        ("Fondation du cégep", Decimal("15.00"), True, False),
    ]
    assert (
        "Ligne 4 : la facture FAC00000397 : la cotisation volontaire « Fondation du cégep » que "
        "l'étudiant avait retirée change ; elle sera de nouveau à payer."
    ) in output
    assert "0 création(s), 0 mise(s) à jour, 3 inchangé(s)" in run(tmp_path / "factures.csv")
    assert lines_of("FAC00000397")[1][3] is True


def test_lookups_do_not_grow_with_the_number_of_rows(
    students, tmp_path, django_assert_max_num_queries
):
    def rows(start: int, count: int, amount: str = "175.00") -> list[dict[str, str]]:
        # Two lines per invoice, the invoices alternating between the two students.
        return [
            row
            for n in range(start, start + count)
            for row in (
                line(f"FAC{n:08d}", "Droits d'inscription", amount, matricule=f"202620{n % 2 + 1}"),
                line(f"FAC{n:08d}", "Association", "25.00", "oui", matricule=f"202620{n % 2 + 1}"),
            )
        ]

    institution_current()  # a warm process: the institution's row is kept between runs
    with CaptureQueriesContext(connection) as ten:
        run(write_csv(tmp_path / "ten.csv", rows(0, 10)))
    with CaptureQueriesContext(connection) as fifty, django_assert_max_num_queries(12):
        run(write_csv(tmp_path / "fifty.csv", rows(100, 50)))
    assert Invoice.objects.count() == 60
    assert InvoiceLine.objects.count() == 120
    assert len(fifty) == len(ten)
    with CaptureQueriesContext(connection) as fifty_updates:
        output = run(write_csv(tmp_path / "updates.csv", rows(100, 50, "180.00")))
    assert "Factures : 0 créée(s), 50 modifiée(s), 0 inchangée(s)." in output
    assert len(fifty_updates) <= len(ten) + 2
    assert InvoiceLine.objects.filter(amount=Decimal("180.00")).count() == 50
    assert InvoiceLine.objects.count() == 120


def test_the_examples_in_the_documentation_import_as_shown(institution, tmp_path):
    for matricule, last_name, first_name in [
        ("2026201", "Côté", "Étienne"),
        ("2026202", "Nguyễn", "Thị Hoa"),
    ]:
        make_student(institution, matricule=matricule, last_name=last_name, first_name=first_name)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
    section = doc.split("## Factures (`invoices`)", 1)[1].split("\n## ", 1)[0]
    # ~~~ fences: the students' documentation test counts the ```csv blocks of the whole page.
    example, semicolons = re.findall(r"~~~csv\n(.*?)~~~", section, flags=re.DOTALL)
    created, updated, _warning = re.findall(r"```text\n(.*?)```", section, flags=re.DOTALL)
    (tmp_path / "a.csv").write_text(example, encoding="utf-8")
    (tmp_path / "b.csv").write_text(semicolons, encoding="utf-8")
    # The later file the documentation describes: FAC00000397 due later, its first fee higher,
    # the Fondation du cégep gone from FAC00000398.
    later = example.replace("Droits d'inscription,175.00", "Droits d'inscription,180.00", 1)
    later = later.replace("2026-08-15", "2026-08-29")
    later = "".join(row for row in later.splitlines(keepends=True) if "Fondation" not in row)
    (tmp_path / "c.csv").write_text(later, encoding="utf-8")

    # The documentation shows the output with ordinary spaces.
    assert run(tmp_path / "a.csv", "--dry-run").replace("\N{NO-BREAK SPACE}", " ") == created
    output = run(tmp_path / "a.csv")
    assert "6 création(s), 0 mise(s) à jour, 0 inchangé(s)" in output
    assert "Factures : 3 créée(s)" in output
    assert "0 création(s), 0 mise(s) à jour, 3 inchangé(s)" in run(tmp_path / "b.csv")
    assert run(tmp_path / "c.csv", "--dry-run").replace("\N{NO-BREAK SPACE}", " ") == updated

"""NUL characters and oversized ids never cause a 500 (issue 16). A NUL (`%00`) anywhere in the
address, a parameter (name or value), a form field or a cookie is a 400 from one middleware,
before any view runs; a 20-digit id in an address is a 404. Run on SQLite and PostgreSQL
(DATABASE_URL): PostgreSQL refuses NUL in strings, SQLite refuses integers over 64 bits."""

import pytest
from django.test import Client

from billing.models import Payment
from tests.accounts.test_first_use import page
from tests.billing.test_statement import pay_start, student_of
from tests.factories import make_invoice, make_student
from tests.parents.factories import birthday_years_ago, make_guardian, make_parent
from tests.parents.test_store import make_item

HUGE = "99999999999999999999"  # 20 digits: more than any 64-bit integer

# Pages behind login with a NUL in a parameter or a path segment: (method, address, data).
STUDENT_NUL = [
    ("get", "/mio/?q=%00", None),
    ("get", "/mio/envoyes/?q=abc%00", None),
    ("get", "/mio/?page=%00", None),
    ("get", "/paiement/selection/?factures=%00", None),
    ("get", "/paiement/selection/?factures=FAC00000397%00", None),
    ("get", "/paiement/coordonnees/?factures=%00", None),
    ("get", "/paiement/factures/FAC%0000397/", None),
    ("post", "/paiement/factures/{invoice}/", {"line": "1\x00", "action": "remove"}),
    ("post", "/paiement/payer/", {"factures": "\x00"}),
    ("get", "/paiement/paiements/%00/", None),
    ("get", "/paiement/demo/%00/", None),
    ("post", "/paiement/demo/{payment}/", {"card_number": "4242\x00", "email": "a@b.example"}),
    ("get", "/paiement/recus/%00/", None),
    ("get", "/paiement/recus/REC%00/pdf/", None),
    ("get", "/paiement/stripe/retour/?session_id=cs_%00", None),
    ("get", "/horaire/%00/", None),
    ("get", "/resultats/?session=%00", None),
    ("get", "/resultats/%00/x/", None),
    ("get", "/notes-finales/%00/", None),
    ("get", "/annuaire/?q=%00", None),
    ("get", "/calendrier/?mois=%00", None),
    ("get", "/documents/?x%00=1", None),
    ("post", "/dossier/", {"phone\x00": "1"}),
    ("post", "/profil/courriel/", {"email": "a\x00@b.example"}),
]

PARENT_NUL = [
    ("get", "/parents/enfants/{child}/?session=%00", None),
    ("get", "/parents/enfants/{child}/services-en-ligne/?x=%00", None),
    ("post", "/parents/enfants/{child}/panier/ajouter/", {"item": "\x00", "quantity": "1"}),
    ("post", "/parents/enfants/{child}/panier/", {"line": "1", "quantity": "\x00"}),
    ("post", "/parents/achats/%00/payer/", {}),
    ("post", "/parents/achats/FAC%00/annuler/", {}),
    ("get", "/paiement/recus/%00/", None),
    ("get", "/paiement/paiements/%00/", None),
    ("get", "/paiement/stripe/retour/?session_id=%00", None),
    ("post", "/parents/contacter-l-ecole/", {"message": "\x00"}),
]

STUDENT_HUGE = [
    f"/documents/{HUGE}/",
    f"/mio/{HUGE}/",
    f"/mio/{HUGE}/repondre/",
    f"/mio/pieces/{HUGE}/",
]

PARENT_HUGE = [
    f"/parents/enfants/{HUGE}/",
    f"/parents/enfants/{HUGE}/services-en-ligne/",
    f"/parents/enfants/{HUGE}/panier/",
]


@pytest.fixture
def student_client(bob) -> tuple[Client, dict[str, object]]:
    invoice = make_invoice(student_of(bob), number="FAC00000397")
    client = Client()
    client.force_login(bob)
    payment = pay_start(client, invoice)
    assert payment.status == Payment.Status.PENDING
    return client, {"invoice": invoice.number, "payment": payment.reference}


@pytest.fixture
def parent_client(institution) -> tuple[Client, dict[str, object]]:
    child = make_student(institution, first_name="Zoé", birthdate=birthday_years_ago(12))
    make_guardian(child)
    make_item(child.school)
    client = Client()
    client.force_login(make_parent())
    assert client.get(f"/parents/enfants/{child.pk}/").status_code == 200
    return client, {"child": child.pk}


def send(client: Client, method: str, address: str, data: dict | None, ids: dict[str, object]):
    address = address.format(**ids)
    if method == "get":
        return client.get(address)
    return client.post(address, data)


@pytest.mark.parametrize(("method", "address", "data"), STUDENT_NUL)
def test_a_nul_from_a_student_is_a_400(student_client, method, address, data):
    client, ids = student_client
    response = send(client, method, address, data, ids)
    assert response.status_code == 400
    assert "Requête invalide" in page(response)
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize(("method", "address", "data"), PARENT_NUL)
def test_a_nul_from_a_parent_is_a_400(parent_client, method, address, data):
    client, ids = parent_client
    assert send(client, method, address, data, ids).status_code == 400


@pytest.mark.parametrize("address", STUDENT_HUGE)
def test_a_twenty_digit_id_from_a_student_is_a_404(student_client, address):
    client, _ids = student_client
    assert client.get(address).status_code == 404


@pytest.mark.parametrize("address", PARENT_HUGE)
def test_a_twenty_digit_id_from_a_parent_is_a_404(parent_client, address):
    client, _ids = parent_client
    assert client.get(address).status_code == 404


def test_huge_numbers_in_forms_are_refused_without_an_error(student_client, parent_client):
    client, ids = student_client
    response = client.post(f"/paiement/factures/{ids['invoice']}/", {"line": HUGE})
    assert response.status_code == 302
    parent, ids = parent_client
    response = parent.post(
        f"/parents/enfants/{ids['child']}/panier/ajouter/", {"item": HUGE, "quantity": HUGE}
    )
    assert response.status_code in (200, 302)


def test_a_nul_before_login_and_in_a_cookie(client, institution):
    assert client.get("/%00/").status_code == 400
    assert client.get("/oublie/?next=%00").status_code == 400
    assert client.post("/", {"identifier": "2026102\x00", "password": "x"}).status_code == 400
    # A quoted cookie value may carry an octal escape, which Django decodes to a NUL.
    assert client.get("/accueil/", HTTP_COOKIE='sessionid="abcdefghij\\000"').status_code == 400
    # A header: the User-Agent is written to the audit log at every login attempt.
    response = client.post(
        "/", {"identifier": "2026102", "password": "x"}, HTTP_USER_AGENT="Mozilla\x00/5.0"
    )
    assert response.status_code == 400


def test_ordinary_requests_are_untouched(student_client):
    client, _ids = student_client
    assert client.get("/mio/?q=bonjour").status_code == 200
    assert client.get("/paiement/").status_code == 200

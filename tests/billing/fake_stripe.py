"""A stand-in for Stripe's API servers, on 127.0.0.1, for the real `stripe` library pointed at
it through STRIPE_API_BASE. Only the machine's edge is faked: the portal's code, the library's
encoding, its HTTP client and its parsing all run for real.

It answers the calls the portal makes the way Stripe does: form-encoded parameters in (the
library's `line_items[0][price_data][unit_amount]=…` keys), JSON objects with their "object"
field out, Stripe-shaped errors, and the Idempotency-Key header honoured on every POST (the same
key replays the first answer; the same key with other parameters is an idempotency_error).
Tests drive the customer's side with `pay()`, `await_payment()` and `expire()`, build the events
Stripe would send with `event()`, and read every request the library made in `calls`.
"""

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Below the ephemeral range (32768+), so a port the OS hands to an outgoing connection never
# collides with ours; the first free one is taken, several test runs can share the machine.
PORTS = range(8200, 8300)
API_VERSION = "2025-09-30.clover"
CHECKOUT_URL = "https://checkout.stripe.test/c/pay/"


@dataclass(frozen=True)
class Call:
    """One request the library made."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    api_key: str


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, kind: str, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": kind, "message": message, "code": code or None}}


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def form_decode(body: str) -> dict[str, Any]:
    """Rebuilds the nested parameters from the library's bracketed keys; an object whose keys
    are all indexes is a list, as on Stripe's side. Values stay strings, as they travel."""
    tree: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head, *rest = re.findall(r"[^\[\]]+", key) or [key]
        node = tree
        for part in [head, *rest][:-1]:
            node = node.setdefault(part, {})
        node[[head, *rest][-1]] = value

    def listify(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        items = {key: listify(item) for key, item in value.items()}
        if items and all(key.isdigit() for key in items):
            return [items[key] for key in sorted(items, key=int)]
        return items

    return listify(tree)


def signature_header(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe puts on a webhook: `t=<ts>,v1=<hex HMAC-SHA256 of
    "<ts>.<payload>" keyed with the endpoint's signing secret>`. Computed here by hand rather
    than with the library's helper, so the portal's verification is checked against the
    scheme, not against itself."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


class FakeStripe:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.reset()

    def reset(self) -> None:
        """Forgets every object, request and failure; the server keeps running."""
        with self._lock:
            self.calls: list[Call] = []
            self.sessions: dict[str, dict[str, Any]] = {}
            self.intents: dict[str, dict[str, Any]] = {}
            self.charges: dict[str, dict[str, Any]] = {}
            self.refunds: dict[str, dict[str, Any]] = {}
            self._replays: dict[str, tuple[str, dict[str, Any], int, dict[str, Any]]] = {}
            self._failures: dict[tuple[str, str], StripeError] = {}

    # --- Lifecycle ------------------------------------------------------------------------

    def start(self) -> "FakeStripe":
        handler = type("Handler", (_Handler,), {"fake": self})
        for port in PORTS:
            try:
                self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
            except OSError:
                continue
            break
        else:
            raise RuntimeError(f"no free port for the fake Stripe in {PORTS}")
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- What tests read ------------------------------------------------------------------

    def calls_to(self, method: str, path: str) -> list[Call]:
        """The requests to one endpoint; a path ending in "/" matches the ids below it."""
        return [
            call
            for call in self.calls
            if call.method == method
            and (call.path.startswith(path) if path.endswith("/") else call.path == path)
        ]

    def session_object(self, session_id: str, expand: tuple[str, ...] = ()) -> dict[str, Any]:
        """The session as Stripe renders it: payment_intent is an id unless expanded."""
        with self._lock:
            session = dict(self.sessions[session_id])
            intent_id = session["payment_intent"]
            if intent_id and {"payment_intent", "payment_intent.latest_charge"} & set(expand):
                intent = dict(self.intents[intent_id])
                if "payment_intent.latest_charge" in expand:
                    intent["latest_charge"] = dict(self.charges[intent["latest_charge"]])
                session["payment_intent"] = intent
        return session

    def event(
        self, kind: str, session_id: str | None = None, *, session: dict | None = None
    ) -> dict[str, Any]:
        """The event Stripe would send now about this session: its current state, unless a
        snapshot is given (an event is a snapshot of the moment it was created)."""
        return {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
            "data": {"object": session or self.session_object(session_id or "")},
        }

    # --- What the customer and Stripe do --------------------------------------------------

    def pay(self, session_id: str, *, brand: str = "visa", last4: str = "4242") -> str:
        """The customer pays by card on Checkout's page; returns the payment intent's id."""
        with self._lock:
            session = self.sessions[session_id]
            charge = {
                "id": _new_id("ch"),
                "object": "charge",
                "amount": session["amount_total"],
                "currency": "cad",
                "paid": True,
                "status": "succeeded",
                "authorization_code": "123456",
                "payment_method_details": {
                    "type": "card",
                    "card": {"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2030},
                },
            }
            intent = {
                "id": _new_id("pi"),
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": "cad",
                "status": "succeeded",
                "latest_charge": charge["id"],
            }
            self.charges[charge["id"]] = charge
            self.intents[intent["id"]] = intent
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            return intent["id"]

    def await_payment(self, session_id: str) -> None:
        """The customer chose a delayed method (a bank debit): the session is complete but
        stays unpaid until Stripe sends checkout.session.async_payment_succeeded."""
        with self._lock:
            self.sessions[session_id].update(status="complete", payment_status="unpaid")

    def expire(self, session_id: str) -> None:
        with self._lock:
            self.sessions[session_id].update(status="expired")

    def fail(self, method: str, path: str, status: int, message: str, **kind: str) -> None:
        """From now on, answers this endpoint with an error (Stripe down, a refused refund)."""
        self._failures[(method, path)] = StripeError(
            status, message, kind=kind.get("kind", "api_error"), code=kind.get("code", "")
        )

    # --- The API ---------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, params: dict[str, Any], headers: Any
    ) -> tuple[int, dict[str, Any]]:
        api_key = (headers.get("Authorization") or "").removeprefix("Bearer ")
        key = headers.get("Idempotency-Key")
        with self._lock:
            self.calls.append(Call(method, path, params, key, api_key))
        try:
            if not api_key.startswith("sk_test_"):
                raise StripeError(
                    401, f"Invalid API Key provided: {api_key}", kind="invalid_request_error"
                )
            if (method, path) in self._failures:
                raise self._failures[(method, path)]
            if method == "POST" and key:
                return self._idempotent(key, path, params)
            return 200, self._route(method, path, params)
        except StripeError as error:
            return error.status, error.body

    def _idempotent(
        self, key: str, path: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            replay = self._replays.get(key)
        if replay is not None:
            if (replay[0], replay[1]) != (path, params):
                raise StripeError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                    kind="idempotency_error",
                )
            return replay[2], replay[3]
        try:
            status, body = 200, self._route("POST", path, params)
        except StripeError as error:
            status, body = error.status, error.body
        with self._lock:
            self._replays.setdefault(key, (path, params, status, body))
            return self._replays[key][2], self._replays[key][3]

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            return self._session_create(params)
        if method == "GET" and (match := re.fullmatch(r"/v1/checkout/sessions/([^/]+)", path)):
            if match[1] not in self.sessions:
                raise StripeError(
                    404,
                    f"No such checkout.session: '{match[1]}'",
                    kind="invalid_request_error",
                    code="resource_missing",
                )
            return self.session_object(match[1], tuple(params.get("expand", [])))
        if (method, path) == ("POST", "/v1/refunds"):
            return self._refund_create(params)
        raise StripeError(
            404, f"Unrecognized request URL ({method}: {path}).", kind="invalid_request_error"
        )

    def _session_create(self, params: dict[str, Any]) -> dict[str, Any]:
        items = params.get("line_items") or []
        if not items or not params.get("success_url"):
            raise StripeError(400, "Missing required param.", kind="invalid_request_error")
        now = int(time.time())
        expires_at = int(params.get("expires_at") or now + 24 * 3600)
        if not 30 * 60 <= expires_at - now <= 24 * 3600:
            raise StripeError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from now.",
                kind="invalid_request_error",
            )
        session_id = _new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": CHECKOUT_URL + session_id,
            "mode": params.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "amount_total": sum(
                int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
                for item in items
            ),
            "currency": params.get("currency", "cad"),
            "payment_intent": None,
            "created": now,
            "expires_at": expires_at,
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "livemode": False,
        }
        with self._lock:
            self.sessions[session_id] = session
        return dict(session)

    def _refund_create(self, params: dict[str, Any]) -> dict[str, Any]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None:
            raise StripeError(
                400,
                f"No such payment_intent: '{params.get('payment_intent')}'",
                kind="invalid_request_error",
                code="resource_missing",
            )
        refund = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": int(params.get("amount", intent["amount"])),
            "currency": "cad",
            "charge": intent["latest_charge"],
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        with self._lock:
            self.refunds[refund["id"]] = refund
        return refund


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe

    def _answer(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = form_decode(body if self.command == "POST" else url.query)
        status, payload = self.fake.handle(self.command, url.path, params, self.headers)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass

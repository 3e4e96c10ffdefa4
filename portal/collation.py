"""Names sorted the French way: "Bélanger" before "Bouchard", "bélair" before "Bélanger",
"Éthier" with the E's; accents and case count only between names otherwise equal.

One collation name, `portal_fr`, on both databases: on PostgreSQL an ICU collation (fr-CA,
deterministic, so LIKE and the trigram indexes on the name fields keep working) created by
portal's migration 0015; on SQLite a Python function registered on every new connection
(portal.apps). Order with `Collate(field, FRENCH)` (`french()`) in `order_by` and
`Meta.ordering`; sort a Python list with `name_key`."""

import unicodedata
from typing import Any

from django.db.models import F
from django.db.models.functions import Collate

FRENCH = "portal_fr"


def _base(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def name_key(value: str | None) -> tuple[str, str, str]:
    """The sort key: letters without accents or case first, then accents, then case."""
    value = value or ""
    return (_base(value), value.casefold(), value)


def _compare(left: str | None, right: str | None) -> int:
    a, b = name_key(left), name_key(right)
    return (a > b) - (a < b)


def register_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(FRENCH, _compare)


def french(field: str) -> Collate:
    """`field` compared the French way, for order_by() and Meta.ordering."""
    return Collate(F(field), FRENCH)


def by_name(*fields: str) -> list[Collate]:
    return [french(field) for field in fields]

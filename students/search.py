"""Names found without their accents or case: "belanger" finds "Bélanger", "cote" "Côté".

On PostgreSQL, `portail_fold(text)` is `lower(unaccent(text))`, declared IMMUTABLE (unaccent
itself is only STABLE, because its dictionary could change) so that trigram GIN indexes can be
built on `portail_fold(last_name)` and `portail_fold(first_name)` (students' migration
`0010_unaccent_search`); a `LIKE '%belanger%'` on it reads the index. On SQLite the same
function is a Python one registered on each connection (`fold` below): the same results, read
from the whole (small) table.
"""

import unicodedata
from typing import Any

from django.db.models import Func, TextField

FOLD_FUNCTION = "portail_fold"


def fold(text: str) -> str:
    """Lower case, without accents: what `portail_fold` does in the database."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class Fold(Func):
    """`portail_fold(expression)`, a name as searches compare it."""

    function = FOLD_FUNCTION
    arity = 1
    output_field = TextField()


def _sqlite_fold(value: Any) -> str | None:
    return None if value is None else fold(str(value))


def fold_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: gives SQLite the function PostgreSQL gets from the migration."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, _sqlite_fold, deterministic=True)

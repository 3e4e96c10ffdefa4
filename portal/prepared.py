"""Hot queries of a fixed shape, their SQL compiled once per process (issue 17).

Building a queryset (filters, joins, subqueries) and compiling it to SQL cost as much CPU as
running it for the home page's queries (docs/performance.md). A query whose shape never changes
between requests, only its values (the student's id, today's date, a cut-off time), is built
and compiled once per process and shape, with stand-in values; every later request runs the
same SQL with its own values, through Django's own iterables (model instances,
`select_related`, annotations, `values()` rows and their converters are what the queryset
would give).

    rows = prepared(
        "home-marks",  # the shape: everything that changes the SQL
        lambda v: Mark.objects.filter(student_id=v["student"], created_at__gt=v["since"])[:10],
        {"student": student.pk, "since": cutoff},  # this request's values
    )

Rules for `build`: every value that changes between requests must come from its argument (a
date or time taken inside `build` would be frozen into the SQL); only ints, strings, dates and
datetimes are accepted (a value the query does not use is ignored); and anything else that
changes the SQL belongs in the key (so does the time zone for a lookup that writes it into
the SQL, `__date` or `Trunc`: none of the queries using this does). Nothing is cached but
the SQL: the rows are read on every call, so a write shows on the very next request.
"""

import copy
import datetime
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.utils import timezone

Values = dict[str, int | str | datetime.date | datetime.datetime]


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: Any
    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position in params, value's name)
    # How each column's value is read (Django's `get_converters`, which a query otherwise
    # works out again on every run): they depend on the columns and the database's settings
    # only, and are called with the running connection.
    converters: dict


_compiled: dict[tuple, _Compiled] = {}
KEPT_MAX = 256


def _stand_in(value: Any, n: int) -> Any:
    """A value of the same type that no real request uses."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"prepared(): only ints, strings, dates and times vary, not {value!r}")
    if isinstance(value, int):
        return -1_987_650_000 - n
    if isinstance(value, str):
        return f"~prepared-stand-in-{n}-a8f3~"
    if isinstance(value, datetime.datetime):
        moment = datetime.datetime(1901, 2, 3, 4, 5, 6, 789 + n)
        return timezone.make_aware(moment, datetime.UTC) if timezone.is_aware(value) else moment
    if isinstance(value, datetime.date):
        return datetime.date(1901, 2, 3) + datetime.timedelta(days=n)
    raise TypeError(f"prepared(): only ints, strings, dates and times vary, not {value!r}")


def _adapt(connection: Any, value: Any) -> Any:
    """The value as the compiled parameters hold it on this database."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _compile(build: Callable[[Values], QuerySet], values: Values, alias: str) -> _Compiled:
    connection = connections[alias]
    stand_ins = {name: _stand_in(value, n) for n, (name, value) in enumerate(values.items())}
    queryset = build(stand_ins)
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    adapted = {name: _adapt(connection, value) for name, value in stand_ins.items()}
    slots = []
    for position, param in enumerate(params):
        for name, stand_in in adapted.items():
            if type(param) is type(stand_in) and param == stand_in:
                slots.append((position, name))
    columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(columns)
    return _Compiled(queryset, compiler, sql, tuple(params), tuple(slots), converters)


def prepared(
    key: Hashable, build: Callable[[Values], QuerySet], values: Values, *, using: str = "default"
) -> list[Model | Any]:
    """The rows of `build(values)` (what `list()` of that queryset gives), its SQL compiled
    once per process, database and `key`."""
    connection = connections[using]
    full_key = (key, using, connection.vendor)
    compiled = _compiled.get(full_key)
    if compiled is None:
        compiled = _compile(build, values, using)
        if len(_compiled) >= KEPT_MAX:
            _compiled.clear()
        _compiled[full_key] = compiled
    params = list(compiled.params)
    for position, name in compiled.slots:
        params[position] = _adapt(connection, values[name])
    sql = compiled.sql
    compiler = copy.copy(compiled.compiler)
    compiler.connection = connection
    compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
    converters = compiled.converters
    compiler.get_converters = lambda expressions: converters
    queryset = compiled.queryset._chain()
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    return list(queryset)

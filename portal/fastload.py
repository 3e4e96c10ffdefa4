"""Rows read from the database made into model instances without `Model.__init__` (issue 17).

A page such as /notes-finales/ reads a student's enrolments with their section, term and course
(four instances a row, some eighty a page); Django's `Model.from_db` builds each through
`Model.__init__`, which sends `pre_init` and `post_init` and sets every field through its
descriptor. For a model that nobody listens to on those signals, `FastLoad.from_db` does what
that constructor ends up doing for a row from the database, directly: each column's value in
the instance's `__dict__` under the field's attribute name (a deferred column left out, so that
reading it loads it, as Django does) and a fresh `_state` marked as not adding and from `db`.
When a receiver listens to `pre_init` or `post_init` for the model (an app, a test), Django's
own path runs instead, so nothing that relies on those signals is skipped.
"""

from typing import Any

from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

_attnames: dict[type, tuple[str, ...]] = {}


class FastLoad(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls, db: str, field_names: Any, values: Any, *, fetch_mode: Any = None
    ) -> models.Model:
        if pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        names = _attnames.get(cls)
        if names is None:
            names = _attnames[cls] = tuple(f.attname for f in cls._meta.concrete_fields)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        if fetch_mode is not None:
            state.fetch_mode = fetch_mode
        attributes = new.__dict__
        attributes["_state"] = state
        if len(values) == len(names):
            attributes.update(zip(names, values, strict=True))
        else:
            given = iter(values)
            for name in names:
                if name in field_names:
                    attributes[name] = next(given)
        return new

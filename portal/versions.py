"""Versions of what the portal keeps between requests (the institution's row, the month
calendar and the news), so that every app server drops its copy on the very next request
after a write, whichever server wrote.

A version is a random token in the shared cache (Redis, or the database cache: both are
shared by every server). Every write to the data bumps it: `post_save`/`post_delete` of the
models named in `versioned(...)`, and their querysets' `update()`/`delete()`, which send no
signal. A page reads all the versions it needs in one cache round trip
(`versions_of_request`); a copy kept in a process is used only while the version it was built
under is still the current one. A version missing from the cache (evicted, cache cleared,
first request) counts as changed: the next reader stores a new one.

Bumped twice: at once (the writing request sees its own write), and again when the
transaction commits, so that a server that read the old row between the write and the
commit cannot keep it under the new version.
"""

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

PREFIX = "portal:version:"
# Every version a page may need, read together by `versions_of_request`.
NAMES: set[str] = {"institution"}
# Bumps made by this process: a request that wrote re-reads the versions it had memoised.
_bumps = [0]


def _key(name: str) -> str:
    return PREFIX + name


def version_register(name: str) -> str:
    NAMES.add(name)
    return name


def version_bump(*names: str) -> None:
    """A new token now and another at commit (see the module's docstring)."""

    def bump() -> None:
        cache.set_many({_key(name): uuid.uuid4().hex for name in names}, timeout=None)
        _bumps[0] += 1

    bump()
    transaction.on_commit(bump)


def versions_read(names: Iterable[str]) -> dict[str, str]:
    """The current tokens, missing ones created (one cache round trip when all exist)."""
    names = list(names)
    found = cache.get_many([_key(name) for name in names])
    versions = {}
    for name in names:
        token = found.get(_key(name))
        if token is None:
            token = uuid.uuid4().hex
            # Another server may have created it in between: keep whichever came first.
            if not cache.add(_key(name), token, timeout=None):
                token = cache.get(_key(name)) or token
        versions[name] = token
    return versions


def versions_of_request(request: HttpRequest | None) -> dict[str, str]:
    """Every registered version, read once per request (again after a write of its own)."""
    if request is None:
        return versions_read(NAMES)
    kept = getattr(request, "_portal_versions", None)
    if kept is None or kept[0] != _bumps[0]:
        kept = request._portal_versions = (_bumps[0], versions_read(NAMES))  # type: ignore[attr-defined]
    return kept[1]


class VersionedQuerySet(models.QuerySet):
    """`update()` and `delete()` bump the model's versions (they send no signal)."""

    version_names: tuple[str, ...] = ()

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        version_bump(*self.version_names)
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        version_bump(*self.version_names)
        return result


def versioned_manager(*names: str) -> models.Manager:
    """The default manager of a model whose rows some kept copy is built from."""
    queryset = type("VersionedQuerySet", (VersionedQuerySet,), {"version_names": names})
    return models.Manager.from_queryset(queryset)()


def versioned(*names: str) -> Callable[[type[models.Model]], type[models.Model]]:
    """Class decorator: every save or delete of the model bumps `names`."""

    def connect(model: type[models.Model]) -> type[models.Model]:
        for name in names:
            version_register(name)

        def changed(**kwargs: Any) -> None:
            version_bump(*names)

        uid = f"portal_versions_{model._meta.label_lower}_{'_'.join(names)}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + "_save")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + "_delete")
        return model

    return connect

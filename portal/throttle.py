"""Throttles counted in the cache, so that every worker shares them (the database cache by
default, Redis when REDIS_URL is set).

Named limits live in settings.PORTAL_RATE_LIMITS, each with a per-identifier ("key") and a
per-client-address ("ip") rule of (attempts, window seconds, lockout seconds). A lockout
expires by itself; one identifier's lockout never blocks another.
"""

import hashlib
import math
import time
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache


class Locked(StrEnum):
    KEY = "key"
    IP = "ip"


def _digest(value: str) -> str:
    # Identifiers and addresses are hashed in cache keys: no personal data in the cache.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(name: str, scope: str, value: str) -> tuple[str, str]:
    base = f"throttle:{name}:{scope}:{_digest(value)}"
    return f"{base}:count", f"{base}:locked"


def _rules(name: str) -> dict[str, tuple[int, int, int]]:
    return settings.PORTAL_RATE_LIMITS[name]


def throttle_check(name: str, *, key: str, ip: str) -> Locked | None:
    """Which lock, if any, refuses this attempt. One cache round trip."""
    key_lock = _keys(name, "key", key)[1]
    ip_lock = _keys(name, "ip", ip)[1]
    found = cache.get_many([key_lock, ip_lock])
    if key_lock in found:
        return Locked.KEY
    if ip_lock in found:
        return Locked.IP
    return None


def _count(count_key: str, *, now: float, window: int) -> int:
    """One more failure in the window that began with the first one.

    `add` creates the counter (and the window's end) only once, and `incr` is atomic on Redis,
    so failures sent in parallel by several workers all count. The counter's expiry is then set
    to the window's end: the database cache's `incr` would otherwise reset it.
    """
    until_key = f"{count_key}:until"
    cache.add(until_key, now + window, timeout=window)
    cache.add(count_key, 0, timeout=window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=window)
        count = 1
    until = cache.get(until_key) or now + window
    cache.touch(count_key, max(1, math.ceil(until - now)))
    return count


def throttle_fail(name: str, *, key: str, ip: str) -> Locked | None:
    """Counts one failure for the identifier and the address; returns the lock it set, if any."""
    locked = None
    now = time.time()
    for scope, value in (("ip", ip), ("key", key)):
        limit, window, lockout = _rules(name)[scope]
        count_key, lock_key = _keys(name, scope, value)
        if _count(count_key, now=now, window=window) >= limit:
            cache.set(lock_key, True, timeout=lockout)
            cache.delete_many([count_key, f"{count_key}:until"])
            locked = Locked(scope) if locked is None or scope == "key" else locked
    return locked


def throttle_clear(name: str, *, key: str) -> None:
    """A success forgets the identifier's failures (never the address's)."""
    count_key, lock_key = _keys(name, "key", key)
    cache.delete_many([count_key, f"{count_key}:until", lock_key])


def lockout_minutes(name: str, scope: Locked) -> int:
    return max(1, _rules(name)[scope.value][2] // 60)

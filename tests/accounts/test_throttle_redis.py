"""With Redis (REDIS_URL), failures sent in parallel by several workers all count: the counter
is incremented atomically. Runs against the Redis server of the machine (127.0.0.1:6379)."""

import os
import threading

import pytest
from django.core.cache.backends.redis import RedisCache

from portal import throttle

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache(monkeypatch):
    cache = RedisCache(REDIS, {"KEY_PREFIX": "portail-test-throttle"})
    try:
        cache.clear()
    except Exception as error:  # no Redis on a newcomer's laptop; CI has one
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {REDIS}: {error}")
    monkeypatch.setattr(throttle, "cache", cache)
    yield cache
    cache.clear()


def test_parallel_failures_all_count(redis_cache, settings):
    settings.PORTAL_RATE_LIMITS = {"login_failed": {"key": (40, 900, 900), "ip": (1000, 60, 60)}}
    barrier = threading.Barrier(8)

    def fail() -> None:
        barrier.wait()
        for _attempt in range(4):
            throttle.throttle_fail("login_failed", key="student:2026102", ip="10.0.0.9")

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 32 failures counted, none lost: 8 more reach the limit of 40 and lock the number.
    assert throttle.throttle_check("login_failed", key="student:2026102", ip="10.0.0.8") is None
    for _attempt in range(8):
        throttle.throttle_fail("login_failed", key="student:2026102", ip="10.0.0.9")
    assert throttle.throttle_check("login_failed", key="student:2026102", ip="10.0.0.8") == (
        throttle.Locked.KEY
    )

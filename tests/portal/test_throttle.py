"""The rate-limit store: its secret is made there and rotates every hour; without the store nothing is refused."""

import ipaddress

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured

from portal import throttle
from portal.env import env_networks

pytestmark = pytest.mark.django_db


def test_the_secret_is_made_in_the_rate_limit_store_and_replaced_every_hour():
    with time_machine.travel("2026-12-02 10:05:00Z", tick=False):
        first = throttle._secret()
        assert throttle._secret() == first
    with time_machine.travel("2026-12-02 11:05:00Z", tick=False):
        second = throttle._secret()

    assert first != second
    assert len(first) == 64
    store = caches["ratelimit"]
    names = [key.decode() for key in store._cache.get_client().scan_iter(match="*secret:*")]
    assert names and all(0 < store._cache.get_client().ttl(name) <= throttle.SECRET_LIFETIME + 60 for name in names)
    assert not list(cache._cache.get_client().scan_iter(match="*secret:*"))  # never in the main Redis


def test_a_client_is_counted_under_a_keyed_hash_that_changes_with_the_secret(rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    with time_machine.travel("2026-12-02 10:05:00Z", tick=False):
        before = throttle._client_key(request)
    with time_machine.travel("2026-12-02 11:05:00Z", tick=False):
        after = throttle._client_key(request)

    assert before != after
    assert "203.0.113.9" not in before + after


def test_without_the_rate_limit_store_no_request_is_refused(settings, rf):
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": "unix:///nonexistent/ratelimit.sock"},
    }
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")

    assert all(throttle.hit(request, "test-scope", limit=1, window=60) for _ in range(3))
    assert throttle.peek(request, "test-scope", key="x", limit=1, window=60) == 0


def test_trusted_proxies_are_read_as_addresses_and_networks(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, fd00::/64 ,192.168.0.0/16")

    assert env_networks("TRUSTED_PROXIES") == [
        ipaddress.ip_network("10.0.0.1/32"),
        ipaddress.ip_network("fd00::/64"),
        ipaddress.ip_network("192.168.0.0/16"),
    ]
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, proxy.internal")
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.internal"):
        env_networks("TRUSTED_PROXIES")

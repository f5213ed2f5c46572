"""Rate limits that leave nothing a seized server could tie to a visitor's address.

- Counters live only in the `ratelimit` cache: a Redis of its own (RATELIMIT_REDIS_URL) that never
  writes to disk (no append-only file, no snapshots). The main Redis, its files, PostgreSQL, the
  logs and Celery messages never see anything derived from an address.
- A client is named by HMAC(secret, address). The secret is generated in that same Redis, with an
  expiry, and a new one is used every hour; it is read from there on each use and written nowhere
  else, so when the store goes (a power cut, a seizure, a restart) the counters it keyed cannot be
  tied back to an address, and while it runs nothing on disk can.
- django-ratelimit does the counting (fixed windows, atomic add/incr on the cache).
- The address is taken from X-Forwarded-For only when the direct peer is a trusted proxy
  (settings.TRUSTED_PROXIES). On an onion service, or where the proxy itself is the only address
  seen, there is no usable address: `client_address()` returns None and per-address limits step
  aside, so that one client's flood cannot shut the door on every other (see submissions.limits).

With the store unreachable the limits are not enforced: a defender's report must not fail because
a counter cannot be kept, and the receipt passphrases are too long to guess in the time an outage lasts.
"""

import hashlib
import hmac
import ipaddress
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import caches
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from portal.middleware import is_onion_request

logger = logging.getLogger(__name__)

SECRET_LIFETIME = 3600  # a new secret every hour; counters keyed by the old one lapse with it


def _store():
    return caches[settings.RATELIMIT_USE_CACHE]


def _secret() -> bytes:
    """This hour's secret, made by whichever process needs it first, in the store that never persists."""
    store = _store()
    name = f"secret:{int(time.time()) // SECRET_LIFETIME}"
    value = store.get(name)
    if value is None:
        store.add(name, secrets.token_hex(32), timeout=SECRET_LIFETIME + 60)
        value = store.get(name)
    return value.encode()


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def peer_address(request) -> str:
    """The client's address: the direct peer, or what trusted proxies say they received it from."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted(address):
        return address
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    # Read from the right: each trusted proxy appends the peer it saw; the first untrusted one is the client.
    while hops and _is_trusted(address):
        address = hops.pop()
    return address


def client_address(request) -> str | None:
    """The address that tells this client from others, or None where every client looks the same."""
    if is_onion_request(request):
        return None
    address = peer_address(request)
    if not address or _is_trusted(address):
        return None  # a proxy that hides its clients
    return address


def _client_key(request) -> str:
    address = client_address(request) or ""
    return hmac.new(_secret(), address.encode(), hashlib.sha256).hexdigest()


def hit(request, scope: str, *, limit: int, window: int, key: str | None = None) -> bool:
    """Count one attempt; False once more than `limit` were made in `window` seconds.

    Counted per client address unless `key` names something else (a form token, a reference); a
    key is hashed by django-ratelimit before it reaches the store. Without a usable address a
    per-client limit is not counted at all.
    """
    if key is None and client_address(request) is None:
        return True
    try:
        value = key if key is not None else _client_key(request)
        usage = get_usage(request, group=scope, key=lambda *_: value, rate=(limit, window), increment=True)
    except RedisError:
        logger.warning("rate-limit store unavailable; %s limit not enforced", scope)
        return True
    return usage is None or not usage["should_limit"]


def count(request, scope: str, *, window: int) -> int:
    """Add one to a site-wide counter of `scope` and return it (0 with the store unreachable)."""
    try:
        usage = get_usage(request, group=scope, key=lambda *_: "site", rate=(1, window), increment=True)
    except RedisError:
        logger.warning("rate-limit store unavailable; %s not counted", scope)
        return 0
    return usage["count"] if usage else 0


def peek(request, scope: str, *, key: str, limit: int, window: int) -> int:
    """How many attempts `hit()` counted under `key` in this window, without counting one (0 if unknown)."""
    try:
        usage = get_usage(request, group=scope, key=lambda *_: key, rate=(limit, window))
    except RedisError:
        logger.warning("rate-limit store unavailable; %s not read", scope)
        return 0
    return usage["count"] if usage else 0

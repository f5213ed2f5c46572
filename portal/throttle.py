"""Rate limits kept in Redis under short-lived keys.

A client is identified by a keyed hash of its address, held only for the
length of the window: no address is stored, and none outlives the limit.

With Redis unreachable the limits are not enforced: a defender's report must
not fail because a counter cannot be kept, and the receipt passphrases are
too long to guess in the time an outage lasts.
"""

import logging

from django.core.cache import cache

from portal.cache import RedisUnavailable
from portal.crypto import keyed_hash

logger = logging.getLogger(__name__)


def client_key(request) -> str:
    return keyed_hash(request.META.get("REMOTE_ADDR", ""), purpose="throttle-client")[:32]


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; False once more than `limit` were made in `window` seconds."""
    try:
        return cache.count(f"throttle:{scope}:{key}", window) <= limit
    except RedisUnavailable:
        logger.warning("cache unavailable; %s limit not enforced", scope)
        return True


def clear(scope: str, key: str) -> None:
    cache.delete(f"throttle:{scope}:{key}")

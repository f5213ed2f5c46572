"""Sealed files: a case's large values (attachments) on disk, in a folder that is never served.

Megabytes of evidence in a PostgreSQL row cost seconds per report (the INSERT sends them as SQL literals, the
server parses, compresses and logs them in its write-ahead log) and hold a web worker meanwhile. A file is
written once, in one pass: its bytes encrypted under a random key of its own with libsodium's secretstream
(XChaCha20-Poly1305 in chunks of 64 KiB: memory stays bounded, and a cut, reordered or altered file does not
open), that key sealed to the case's public key in the file's header, as portal.sealing seals a value.
Only the case's private key opens it; shredding the case (its key destroyed) leaves any copy unreadable.
A case from before case keys gets its file key under the server's key (portal.crypto) instead.

The file's name is random, never derived from its content or its case. The row that uses the file holds
the name, written after the file (write, then reference); a file whose transaction rolls back is deleted
at once where the code sees it (`kept_if_committed`), a file whose row is deleted (shredding) after the
commit (`delete_on_commit`), and `sweep()` deletes, in any case, files older than an hour that no row names.

The worker that makes working copies cannot open a sealed file: the intake stores the file key for it under
the server's key (an encrypted column), which it destroys once done (submissions.services.attachment_clean).
"""

import contextlib
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from nacl import bindings
from nacl.exceptions import CryptoError
from nacl.public import PublicKey, SealedBox

from portal import crypto, sealing

MAGIC = b"PSF1"
CASE, SERVER = b"C", b"S"  # whose key opens the file key of the header
CHUNK = 64 * 1024
_ABYTES = bindings.crypto_secretstream_xchacha20poly1305_ABYTES
_STREAM_HEADER = bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_SEALED_KEY = 32 + 48  # SealedBox of a 32-byte key
_MESSAGE = bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_FINAL = bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL
SWEEP_GRACE_SECONDS = 3600  # longer than any transaction that writes a file


class Unreadable(Exception):
    """A file that is missing, or that is not whole (cut, altered)."""


def root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT)


def path_of(name: str) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise ValueError("not a sealed file's name")
    return root() / name


@dataclass(frozen=True)
class Written:
    name: str
    key: bytes = b""  # the file key: for the worker, stored under the server's key (portal.crypto) only


def write(data: bytes, *, case_key) -> Written:
    """Encrypt `data` into a new file, its key sealed to `case_key` (None: a case from before case keys)."""
    key = bindings.crypto_secretstream_xchacha20poly1305_keygen()
    if case_key is None:
        token = crypto.encrypt(key)
        header = MAGIC + SERVER + len(token).to_bytes(2, "big") + token
    else:
        sealed = SealedBox(PublicKey(bytes(case_key.public_key))).encrypt(key)
        header = MAGIC + CASE + case_key.pk.to_bytes(8, "big") + sealed
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    stream_header = bindings.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    folder = root()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = secrets.token_urlsafe(24)
    view = memoryview(data)
    descriptor = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb", closefd=False) as output:
            output.write(header + stream_header)
            for start in range(0, max(len(view), 1), CHUNK):
                last = start + CHUNK >= len(view)
                piece = bytes(view[start : start + CHUNK])
                output.write(
                    bindings.crypto_secretstream_xchacha20poly1305_push(state, piece, tag=_FINAL if last else _MESSAGE)
                )
        if settings.PRIVATE_MEDIA_FSYNC:
            os.fsync(descriptor)  # the row that names it is committed durably: so is the file, first
    except BaseException:
        os.close(descriptor)
        delete([name])
        raise
    os.close(descriptor)
    return Written(name, key)


def sync_folder() -> None:
    """Make the new files' names durable (once for several files, before the commit that names them)."""
    if not settings.PRIVATE_MEDIA_FSYNC:
        return
    descriptor = os.open(root(), os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Opened:
    """A file whose key this context holds: read whole, or chunk by chunk (a download)."""

    def __init__(self, path: Path, key: bytes, offset: int) -> None:
        self.path, self._key, self._offset = path, key, offset

    def chunks(self) -> Iterator[bytes]:
        state = bindings.crypto_secretstream_xchacha20poly1305_state()
        with self.path.open("rb") as stored:
            stored.seek(self._offset)
            bindings.crypto_secretstream_xchacha20poly1305_init_pull(state, stored.read(_STREAM_HEADER), self._key)
            while True:
                box = stored.read(CHUNK + _ABYTES)
                try:
                    piece, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(state, box)
                except (CryptoError, ValueError) as error:
                    raise Unreadable(f"sealed file {self.path.name} is not whole") from error
                yield piece
                if tag == _FINAL:
                    return

    def read(self) -> bytes:
        return b"".join(self.chunks())


def _header(path: Path) -> tuple[bytes, bytes, int]:
    """(whose key, the wrapped file key, where the stream starts); Unreadable if it is missing."""
    try:
        with path.open("rb") as stored:
            head = stored.read(len(MAGIC) + 1)
            if head[: len(MAGIC)] != MAGIC:
                raise Unreadable(f"{path.name} is not a sealed file")
            if head[len(MAGIC) :] == CASE:
                wrapped = stored.read(8 + _SEALED_KEY)
            else:
                wrapped = stored.read(int.from_bytes(stored.read(2), "big"))
            return head[len(MAGIC) :], wrapped, stored.tell()
    except FileNotFoundError as error:
        raise Unreadable(f"sealed file {path.name} is missing") from error


def open_sealed(name: str) -> Opened:
    """The file, with the key this context holds (staff's office key, a receipt's case key); raises
    sealing.Locked without it (a worker, a session without the key)."""
    path = path_of(name)
    whose, wrapped, offset = _header(path)
    if whose == SERVER:
        return Opened(path, crypto.decrypt(wrapped), offset)
    case_key_id = int.from_bytes(wrapped[:8], "big")
    ring = sealing.current()
    private = ring.case(case_key_id) if ring is not None else None
    if private is None:
        raise sealing.Locked("a sealed file needs the office key or the source's receipt to be read")
    try:
        return Opened(path, SealedBox(private).decrypt(wrapped[8:]), offset)
    except CryptoError as error:
        raise sealing.Locked("this case's key does not open the file") from error


def open_with(name: str, key: bytes) -> Opened:
    """The file, with its key as `write` gave it: the worker's way in, from its copy under the server's key."""
    path = path_of(name)
    _whose, _wrapped, offset = _header(path)
    return Opened(path, bytes(key), offset)


def rotate_server_keys() -> int:
    """Re-encrypt under the newest of ENCRYPTION_KEYS the file keys that headers hold under the server's key
    (files of cases from before case keys), in place: `manage.py rotate_encryption_key` runs it. Returns how
    many."""
    folder, rotated = root(), 0
    start = len(MAGIC) + 1 + 2
    for entry in os.scandir(folder) if folder.is_dir() else []:
        with open(entry.path, "r+b") as stored:
            head = stored.read(start)
            if head[: len(MAGIC) + 1] != MAGIC + SERVER:
                continue
            token = stored.read(int.from_bytes(head[-2:], "big"))
            try:
                renewed = crypto.fernet().rotate(token)
            except InvalidToken:
                raise Unreadable(f"{entry.name}: no key of ENCRYPTION_KEYS opens its key") from None
            if len(renewed) != len(token):  # a Fernet token's length depends on its plaintext's only
                raise Unreadable(f"{entry.name}: the renewed key does not fit its header")
            stored.seek(start)
            stored.write(renewed)
            stored.flush()
            os.fsync(stored.fileno())
        rotated += 1
    return rotated


def delete(names: Iterable[str]) -> None:
    for name in names:
        if name:
            path_of(name).unlink(missing_ok=True)


def delete_on_commit(names: Iterable[str]) -> None:
    """Delete the files once the transaction that deleted their rows has committed (never if it rolls back)."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: delete(names))


@contextlib.contextmanager
def kept_if_committed():
    """A list to note the files written inside; they are deleted if the block raises (its transaction
    rolled back). Put it outside the block's `transaction.atomic()`. A rollback further out leaves them to
    `sweep()`."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        delete(written)
        raise


def sweep(*, named: Callable[[list[str]], set[str]], grace_seconds: int = SWEEP_GRACE_SECONDS) -> int:
    """Delete the files older than `grace_seconds` that no row names (`named(names)` gives those that one
    does): those of a transaction that rolled back, and those of rows deleted by a process that stopped
    before it could delete them. Returns how many."""
    folder = root()
    if not folder.is_dir():
        return 0
    cutoff = time.time() - grace_seconds
    old = [entry.name for entry in os.scandir(folder) if entry.is_file() and entry.stat().st_mtime < cutoff]
    removed = 0
    for start in range(0, len(old), 1000):
        batch = old[start : start + 1000]
        orphans = set(batch) - named(batch)
        delete(orphans)
        removed += len(orphans)
    return removed

"""A null cipher in place of sealing's sealed boxes: the portal without its case cryptography, for an A/B.

bench/intake.py --ab-sealing measures the same commit twice, as deployed and with this cipher, to tell
what sealing (portal/sealing.py, issue #16) adds to a report and to a case page. bench/settings_unsealed.py
installs it in every process it runs (gunicorn, the Celery worker) through the AppConfig below; the bench
installs it in its own process around its in-process measurement (`null_cipher`). Nothing outside bench/
can turn it on.

`NullSealedBox` has SealedBox's interface and stored shape: what it seals is stored in clear after a
mark as long as a sealed box's overhead (48 bytes), so values keep their prefix, case key id and base64
and every field still goes through pre_save, get_prep_value and from_db_value; only X25519 and
XSalsa20-Poly1305 are gone (the seals of a report, the case key sealed to the office, the opening of each
value and of the case key). A real box still opens, as PyNaCl opens it: the grants of the office key that
a staff login opens were sealed when the bench seeded its staff. Key pairs are still made and parsed
(PrivateKey, about 33 us each, a few per request), the session's keyring still unwrapped (SecretBox), and
sealed files keep secretstream (the bench's report has no attachment).
A case written with the null cipher reads only where it is installed: keep an A/B run's `--data` apart.
"""

import base64
from contextlib import contextmanager

from django.apps import AppConfig
from nacl.bindings import crypto_box_SEALBYTES
from nacl.public import SealedBox

MARK = b"\0" * crypto_box_SEALBYTES  # where a real box starts with an ephemeral public key


class NullSealedBox:
    def __init__(self, key) -> None:
        self._key = key

    def encrypt(self, plaintext: bytes) -> bytes:
        return MARK + bytes(plaintext)

    def decrypt(self, ciphertext: bytes) -> bytes:
        ciphertext = bytes(ciphertext)
        if ciphertext[: len(MARK)] == MARK:
            return ciphertext[len(MARK) :]
        return SealedBox(self._key).decrypt(ciphertext)


def _modules():
    from portal import sealed_files, sealing

    return (sealing, sealed_files)


def install() -> None:
    for module in _modules():
        module.SealedBox = NullSealedBox


def uninstall() -> None:
    for module in _modules():
        module.SealedBox = SealedBox


@contextmanager
def null_cipher():
    install()
    try:
        yield
    finally:
        uninstall()


def is_null_sealed(raw: str) -> bool:
    """Whether a stored text value (`sealed:<case key>:<base64>`) was sealed with the null cipher."""
    from portal import sealing

    box = raw.removeprefix(sealing.TEXT_PREFIX).partition(":")[2]
    return base64.b64decode(box)[: len(MARK)] == MARK


class UnsealedConfig(AppConfig):
    name = "bench.unsealed"
    label = "bench_unsealed"

    def ready(self) -> None:
        install()

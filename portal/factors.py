"""Second factors that a seized server cannot use: TOTP seeds sealed to the person's key, backup codes
kept as keyed digests.

A staff member's key holder (portal.sealing) has a private key that only their password opens. Their
authenticator's seed is sealed to its public key (`TOTPSeed`): the server can seal a new seed, but
only the login that has the password can open it and check a code. Their backup codes are stored as
BLAKE2b digests keyed by a key derived from that private key: the server holds neither the codes nor
what would let it try the 2^40 possible codes (a keyless hash of 40 random bits falls in hours).

A login opens the key once (StaffLoginForm), checks the code against the opened seed, and keeps the
key for the session under the person's cookie key (sealing.remember), so that the enrolment page can
show the seed it sealed and the backup-codes page can make new codes. django-otp keeps working on
its own models: `OpenedTOTPDevice` and `KeyedStaticDevice` are views of them that check against
what was opened, and never write it back.
"""

import copy
import secrets

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox

from portal.models import KeyedStaticDevice, KeyHolder, OpenedTOTPDevice, TOTPSeed

SEED_BYTES = 20  # 160 bits, as RFC 4226 recommends and authenticator apps expect


def totp_create(*, user, name: str, confirmed: bool) -> OpenedTOTPDevice:
    """A TOTP device for `user` with a new seed sealed to their key holder (who must exist)."""
    holder = KeyHolder.objects.get(user=user)
    seed = secrets.token_bytes(SEED_BYTES)
    device = TOTPDevice.objects.create(user=user, name=name, confirmed=confirmed)  # its `key`: random, unused
    TOTPSeed.objects.create(device=device, sealed_seed=SealedBox(PublicKey(bytes(holder.public_key))).encrypt(seed))
    return _opened_totp(device, seed)


def _opened_totp(device: TOTPDevice, seed: bytes) -> OpenedTOTPDevice:
    opened = copy.copy(device)
    opened.__class__ = OpenedTOTPDevice
    opened.seed = seed
    return opened


def totp_open(device: TOTPDevice, private: PrivateKey | None) -> OpenedTOTPDevice | None:
    """The device with its seed opened by the person's private key; None if it does not open it."""
    sealed = TOTPSeed.objects.filter(device_id=device.pk).values_list("sealed_seed", flat=True).first()
    if private is None or sealed is None:
        return None
    try:
        return _opened_totp(device, SealedBox(private).decrypt(bytes(sealed)))
    except CryptoError:
        return None


def backup_code_digest(private: PrivateKey, code: str) -> str:
    """What is stored for a backup code: 64 bits of BLAKE2b keyed by a key of the person's own."""
    code_key = blake2b(bytes(private), digest_size=32, person=b"portal-codekey", encoder=RawEncoder)
    normal = "".join(code.split()).lower()
    return blake2b(normal.encode(), digest_size=8, key=code_key, person=b"portal-backup", encoder=RawEncoder).hex()


def static_open(device: StaticDevice, private: PrivateKey | None) -> KeyedStaticDevice | None:
    if private is None:
        return None
    opened = copy.copy(device)
    opened.__class__ = KeyedStaticDevice
    opened.digest = lambda code: backup_code_digest(private, code)
    return opened


def device_open(device, private: PrivateKey | None):
    """A device of the person's, ready to check a code with their opened key; None if it cannot be."""
    if isinstance(device, TOTPDevice):
        return totp_open(device, private)
    if isinstance(device, StaticDevice):
        return static_open(device, private)
    return None


def backup_codes_store(*, device: StaticDevice, private: PrivateKey, codes: list[str]) -> None:
    StaticToken.objects.bulk_create([StaticToken(device=device, token=backup_code_digest(private, c)) for c in codes])


def factors_drop(*, user) -> None:
    """Forget `user`'s second factor: sealed to a key no password opens any more, it could never be
    checked again. The person enrols a new one at their next login (portal.enrolment)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()

"""Sealed case data: a key per case, and the office's private key held by staff only.

Every case (a submission with its victims, messages and attachments) has a key pair of its own, the
case key. Its values are sealed boxes to the case's public key (libsodium's crypto_box_seal: X25519
and XSalsa20-Poly1305, through PyNaCl). Anyone holding a public key can seal: the intake request, the
worker that cleans an attachment, an edit in the admin. Only the private key opens, and the server
never holds it in a form it can use alone:

- the case's private key is sealed to the office's public key (`CaseKey.sealed_private_key`), and
  once more under a key derived from the source's passphrase, so that the receipt opens that case;
- the office's private key is sealed to each staff key holder's public key (`OfficeKeyGrant`); a
  holder's private key is encrypted under a key derived from their password (Argon2id), and the
  recovery key, printed once, is a holder of its own;
- in a staff or receipt session the opened keys are encrypted under a key that lives only in that
  person's cookie (`KEY_COOKIE`): the session store alone opens nothing. A staff session keeps the
  person's own private key too: their TOTP seed and backup codes are sealed to it (portal.factors).

The web tier, the workers and the database therefore hold public keys and sealed keys only. Reads go
through `Keyring`, set per request from the session and the cookie (KeyringMiddleware); a Celery task
runs with none. A value that cannot be opened reads as `Sealed`, which refuses to become text.
Shredding a case destroys its sealed private key: its ciphertext then opens for nobody.

Letters to governments have a key pair of their own in the same table (communications.models: the
letter, its replies and reasons), so that staff read letters exactly as they read cases.

Values written before cases had keys are Fernet tokens under the server's key (portal.crypto): they still
read, and stay so until retention destroys them (a case cannot be given a receipt key without its
passphrase, so sealing them would lock their sources out of their own messages).
"""

import base64
import json
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from nacl import pwhash, utils
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from portal import crypto

TEXT_PREFIX = "sealed:"
BINARY_PREFIX = b"sealed1:"
KEY_COOKIE = "portal_keys"
SESSION_KEYS = "_sealed_keys"


class Locked(Exception):
    """A sealed value was read without the key that opens it (a worker, or a session without the key)."""


class Sealed:
    """A stored value this process cannot open: written back unchanged, never shown."""

    __slots__ = ("raw",)

    def __init__(self, raw) -> None:
        self.raw = raw

    def __str__(self) -> str:
        raise Locked("a sealed value needs the office key or the source's receipt to be read")

    __bytes__ = __str__

    def __bool__(self) -> bool:
        raise Locked("a sealed value needs the office key or the source's receipt to be read")

    def __eq__(self, other) -> bool:
        return isinstance(other, Sealed) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __repr__(self) -> str:
        return "<Sealed>"


# --- Key derivation and wrapping ------------------------------------------------------------------

# Argon2id cost of a password-derived key (a login takes about 0.1 s with "interactive"); tests use "min".
_KDF_LIMITS = {
    "interactive": (pwhash.argon2id.OPSLIMIT_INTERACTIVE, pwhash.argon2id.MEMLIMIT_INTERACTIVE),
    "moderate": (pwhash.argon2id.OPSLIMIT_MODERATE, pwhash.argon2id.MEMLIMIT_MODERATE),
    "min": (pwhash.argon2id.OPSLIMIT_MIN, pwhash.argon2id.MEMLIMIT_MIN),
}


def kdf_limits() -> tuple[int, int]:
    return _KDF_LIMITS[getattr(settings, "SEALING_KDF", "interactive")]


def password_key(password: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return pwhash.argon2id.kdf(SecretBox.KEY_SIZE, password.encode(), salt, opslimit=opslimit, memlimit=memlimit)


def passphrase_key(reference: str, canonical_passphrase: str) -> bytes:
    """The key a receipt opens its case with. The passphrase carries 77 bits or more: a memory-hard
    derivation would add nothing but seconds to every report, so BLAKE2b, keyed by the reference."""
    from nacl.encoding import RawEncoder
    from nacl.hash import blake2b

    return blake2b(
        canonical_passphrase.encode(), digest_size=32, key=reference.encode()[:64], person=b"portal-receipt",
        encoder=RawEncoder,
    )  # fmt: skip


def wrap(key: bytes, secret: bytes) -> bytes:
    return SecretBox(key).encrypt(secret)


def unwrap(key: bytes, wrapped: bytes) -> bytes:
    return SecretBox(key).decrypt(bytes(wrapped))


def new_recovery_code() -> str:
    """32 random bytes as groups of base32 letters, for paper."""
    text = base64.b32encode(secrets.token_bytes(30)).decode()
    return "-".join(text[i : i + 6] for i in range(0, len(text), 6))


def recovery_secret(code: str) -> str:
    return "".join(code.upper().split()).replace("-", "")


# --- The keyring of one request ----------------------------------------------------------------


@dataclass
class Keyring:
    """The private keys this request may use: office keys (staff), or one case's key (a receipt)."""

    office: dict[bytes, PrivateKey] = field(default_factory=dict)  # by their public key
    cases: dict[int, PrivateKey | None] = field(default_factory=dict)
    user_id: int | None = None  # the staff member whose login opened it
    holder: PrivateKey | None = None  # that person's own key: it opens their second factor (portal.factors)
    # Short values opened with these keys, by their box: a request reads a case's rows more than once. Never
    # kept anywhere the keys are not (dump leaves it out); gone with the keyring.
    opened: dict[bytes, bytes] = field(default_factory=dict, repr=False, compare=False)

    def case(self, case_key_id: int) -> PrivateKey | None:
        if case_key_id in self.cases:
            return self.cases[case_key_id]
        key = None
        if self.office:
            from portal.models import CaseKey

            row = (
                CaseKey.objects.filter(pk=case_key_id)
                .values_list("sealed_private_key", "office_key__public_key")
                .first()
            )
            office = self.office.get(bytes(row[1])) if row is not None and row[0] is not None else None
            if office is not None:
                key = PrivateKey(SealedBox(office).decrypt(bytes(row[0])))
        self.cases[case_key_id] = key
        return key

    def dump(self) -> dict:
        return {
            "user": self.user_id,
            "office": [bytes(v).hex() for v in self.office.values()],
            "cases": {str(k): bytes(v).hex() for k, v in self.cases.items() if v is not None and not self.office},
            "holder": bytes(self.holder).hex() if self.holder is not None else None,
        }

    @classmethod
    def load(cls, data: dict) -> "Keyring":
        return cls(
            office=office_keys(PrivateKey(bytes.fromhex(v)) for v in data.get("office", [])),
            cases={int(k): PrivateKey(bytes.fromhex(v)) for k, v in data.get("cases", {}).items()},
            user_id=data.get("user"),
            holder=PrivateKey(bytes.fromhex(data["holder"])) if data.get("holder") else None,
        )


def office_keys(privates) -> dict[bytes, PrivateKey]:
    return {bytes(private.public_key): private for private in privates}


_keyring: ContextVar[Keyring | None] = ContextVar("portal_keyring", default=None)


def current() -> Keyring | None:
    return _keyring.get()


@contextmanager
def using(keyring: Keyring | None):
    """Run with `keyring` (None: with no key at all, as a worker does)."""
    token = _keyring.set(keyring)
    try:
        yield keyring
    finally:
        _keyring.reset(token)


def can_open(case_key_id: int | None) -> bool:
    """Whether this context reads the values of a case (a case from before case keys always reads)."""
    if case_key_id is None:
        return True
    ring = _keyring.get()
    return ring is not None and ring.case(case_key_id) is not None


# --- Sealing and opening values ------------------------------------------------------------------


def _public(case_key) -> PublicKey:
    return PublicKey(bytes(case_key.public_key))


def seal_bytes(case_key, data: bytes) -> Sealed:
    box = SealedBox(_public(case_key)).encrypt(bytes(data))
    return Sealed(BINARY_PREFIX + case_key.pk.to_bytes(8, "big") + box)


def seal_text(case_key, text: str) -> Sealed:
    box = SealedBox(_public(case_key)).encrypt(text.encode())
    return Sealed(f"{TEXT_PREFIX}{case_key.pk}:{base64.b64encode(box).decode()}")


_OPENED_BOX_BYTES = 4096  # values up to this size are remembered by the keyring (documents are not)
_OPENED_VALUES = 20_000


def _open(case_key_id: int, box: bytes) -> bytes | None:
    ring = _keyring.get()
    key = ring.case(case_key_id) if ring is not None else None
    if key is None:
        return None
    data = ring.opened.get(box)
    if data is not None:
        return data
    try:
        data = SealedBox(key).decrypt(box)
    except CryptoError:
        return None
    if len(box) <= _OPENED_BOX_BYTES:
        if len(ring.opened) >= _OPENED_VALUES:
            ring.opened.clear()
        ring.opened[box] = data
    return data


def seal_for(instance, value: str | bytes) -> Sealed:
    """`value` sealed as `instance`'s sealed fields are when it is saved (to its `sealing_key()`, or under
    the server's key for a row from before keys): for an update() that does not go through save()."""
    key = instance.sealing_key()
    if isinstance(value, bytes):
        return seal_bytes(key, value) if key is not None else Sealed(crypto.encrypt(value))
    return seal_text(key, value) if key is not None else Sealed(crypto.encrypt(value.encode()).decode())


# What a shredded case's columns hold: nothing (submissions.services.submission_shred).
SHREDDED_TEXT, SHREDDED_BYTES = Sealed(""), Sealed(b"")


def open_text(raw: str):
    """The text of a stored value, or Sealed(raw) if this context cannot open it."""
    if raw == "":
        return ""
    if not raw.startswith(TEXT_PREFIX):
        return crypto.decrypt(raw.encode()).decode()  # a value from before case keys
    key_id, _, box = raw[len(TEXT_PREFIX) :].partition(":")
    data = _open(int(key_id), base64.b64decode(box))
    return Sealed(raw) if data is None else data.decode()


def open_bytes(raw: bytes):
    if raw == b"":
        return b""
    if not raw.startswith(BINARY_PREFIX):
        return crypto.decrypt(raw)
    start = len(BINARY_PREFIX)
    data = _open(int.from_bytes(raw[start : start + 8], "big"), raw[start + 8 :])
    return Sealed(raw) if data is None else data


# --- Fields ---------------------------------------------------------------------------------------


def _case_key_of(instance):
    key = instance.sealing_key()
    if key is None:
        return None
    return key


class SealedTextField(models.TextField):
    """Text sealed to its case's key (the model's `sealing_key()`); reads give the text when this
    context holds the key, else a `Sealed` value. Cannot be filtered on: use a keyed hash."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else open_text(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or isinstance(value, Sealed):
            return value
        case_key = _case_key_of(model_instance)
        if case_key is None:  # a case from before case keys
            return Sealed(crypto.encrypt(str(value).encode()).decode())
        return seal_text(case_key, str(value))

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.raw
        raise TypeError(f"{self.name} is sealed: write it through the model's save(), or seal it with portal.sealing")

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise TypeError(f"{self.name} is sealed and cannot be filtered by {lookup_name!r}.")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if isinstance(value, Sealed) else super().value_to_string(obj)


class SealedCharField(SealedTextField):
    """A sealed single-line value: a text input in forms and the admin."""

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"widget": forms.TextInput, **kwargs})


class SealedJSONField(SealedTextField):
    """A sealed list or dict (a victim's areas of work), stored as sealed JSON."""

    def from_db_value(self, value, expression, connection):
        opened = super().from_db_value(value, expression, connection)
        return json.loads(opened) if isinstance(opened, str) and opened else ([] if opened == "" else opened)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or isinstance(value, Sealed):
            return value
        case_key = _case_key_of(model_instance)
        text = json.dumps(value, ensure_ascii=False)
        return seal_text(case_key, text) if case_key else Sealed(crypto.encrypt(text.encode()).decode())

    def to_python(self, value):
        return value


class SealedBinaryField(models.BinaryField):
    """Bytes (attachment contents) sealed to their case's key."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else open_bytes(bytes(value))

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None or isinstance(value, Sealed):
            return value
        case_key = _case_key_of(model_instance)
        if case_key is None:
            return Sealed(crypto.encrypt(bytes(value)))
        return seal_bytes(case_key, bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise TypeError(f"{self.name} is sealed: write it through the model's save(), or seal it")
        raw = value.raw if isinstance(value.raw, bytes) else value.raw.encode()
        return connection.Database.Binary(raw)


def sealed_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, SealedTextField | SealedBinaryField)]


def protected_fields(model: type[models.Model]) -> list[str]:
    """Every column of `model` that is sealed or encrypted: what a list defers, what an audit names."""
    return sealed_fields(model) + crypto.encrypted_fields(model)


# --- Keys of the office, of staff and of cases -------------------------------------------------


def new_case_key(source_key: bytes | None = None):
    """A key pair for a new case: its public half to seal with, its private half sealed to the office and,
    given the receipt's key (passphrase_key), wrapped under it too: the receipt opens its own case."""
    from portal.models import CaseKey, OfficeKey

    office = OfficeKey.objects.current()
    private = PrivateKey.generate()
    case_key = CaseKey.objects.create(
        public_key=bytes(private.public_key),
        sealed_private_key=SealedBox(PublicKey(bytes(office.public_key))).encrypt(bytes(private)),
        source_private_key=wrap(source_key, bytes(private)) if source_key is not None else None,
        office_key=office,
    )
    case_key.private = private  # for this request only: the intake opens what it just wrote
    return case_key


def source_keyring(case_key_id: int, key: bytes) -> Keyring | None:
    from portal.models import CaseKey

    wrapped = CaseKey.objects.filter(pk=case_key_id).values_list("source_private_key", flat=True).first()
    if wrapped is None:
        return None
    try:
        return Keyring(cases={case_key_id: PrivateKey(unwrap(key, wrapped))})
    except CryptoError:
        return None


def holder_open(holder, secret: str) -> PrivateKey | None:
    """A holder's private key, opened by their password (or the recovery code); None for a wrong one."""
    try:
        return PrivateKey(unwrap(password_key(secret, bytes(holder.salt), holder.opslimit, holder.memlimit),
                                 holder.private_key))  # fmt: skip
    except CryptoError:
        return None


def holder_office_keys(holder, private: PrivateKey) -> dict[bytes, PrivateKey]:
    """The office keys granted to `holder`, opened with its private key."""
    from portal.models import OfficeKeyGrant

    box = SealedBox(private)
    grants = OfficeKeyGrant.objects.filter(holder=holder, office_key__retired_at__isnull=True)
    return office_keys(PrivateKey(box.decrypt(bytes(g.sealed_private_key))) for g in grants)


def holder_keyring(holder, secret: str) -> Keyring | None:
    """The office keys a holder's password (or the recovery code) opens; None if it opens nothing."""
    private = holder_open(holder, secret)
    return None if private is None else Keyring(office=holder_office_keys(holder, private))


def holder_create(*, user=None, secret: str, label: str = "", private: PrivateKey | None = None):
    """A key pair for a staff member (or the recovery key), its private half under `secret`. No grant yet.

    With `private`, the person's existing key pair is wrapped again under the new secret (a password
    change in their own session): what was sealed to it (grants, their second factor) still opens.
    The private key is on the returned holder as `.private`, for this request only."""
    from portal.models import KeyHolder

    private = PrivateKey.generate() if private is None else private
    opslimit, memlimit = kdf_limits()
    salt = utils.random(pwhash.argon2id.SALTBYTES)
    holder, _ = KeyHolder.objects.update_or_create(
        user=user,
        label=label,
        defaults={
            "public_key": bytes(private.public_key),
            "private_key": wrap(password_key(secret, salt, opslimit, memlimit), bytes(private)),
            "salt": salt,
            "opslimit": opslimit,
            "memlimit": memlimit,
        },
    )
    holder.private = private
    return holder


def grant(holder, keyring: Keyring, *, by=None) -> int:
    """Seal every office key of `keyring` to `holder`: only someone who holds them can give them."""
    from portal.models import OfficeKey, OfficeKeyGrant

    box = SealedBox(PublicKey(bytes(holder.public_key)))
    for public, private in keyring.office.items():
        office_key = OfficeKey.objects.filter(public_key=public, retired_at__isnull=True).first()
        if office_key is None:
            continue
        OfficeKeyGrant.objects.update_or_create(
            office_key=office_key,
            holder=holder,
            defaults={"sealed_private_key": box.encrypt(bytes(private)), "granted_by": by},
        )
    return len(keyring.office)


def access_revoke(user) -> int:
    """Take access to case content from `user`: every office key sealed to their key pair goes; returns how many.
    A copy they may have kept still opens today's cases: rotating the office key closes that."""
    from portal.models import OfficeKeyGrant

    deleted, _ = OfficeKeyGrant.objects.filter(holder__user=user).delete()
    return deleted


def office_key_create():
    """The office's first key pair (or a new one, by rotation): returns (OfficeKey, its private key)."""
    from portal.models import OfficeKey

    private = PrivateKey.generate()
    return OfficeKey.objects.create(public_key=bytes(private.public_key)), private


# --- Sessions: the opened keys under a key that only the person's cookie holds ------------------


def session_lock(keyring: Keyring) -> tuple[str, str]:
    """(what the session stores, what the person's cookie holds): the keyring, and the key to it."""
    cookie_key = utils.random(SecretBox.KEY_SIZE)
    stored = base64.b64encode(wrap(cookie_key, json.dumps(keyring.dump()).encode())).decode()
    return stored, base64.urlsafe_b64encode(cookie_key).decode()


def remember(request, keyring: Keyring) -> None:
    """Keep `keyring` for this session: encrypted in the session, its key in the person's cookie."""
    request.session[SESSION_KEYS], request._new_key_cookie = session_lock(keyring)


def recall(request) -> Keyring | None:
    stored = request.session.get(SESSION_KEYS) if hasattr(request, "session") else None
    cookie = request.COOKIES.get(KEY_COOKIE)
    if not stored or not cookie:
        return None
    try:
        data = unwrap(base64.urlsafe_b64decode(cookie), base64.b64decode(stored))
    except (CryptoError, ValueError):
        return None
    return Keyring.load(json.loads(data))


def set_cookie(request, response) -> None:
    new = getattr(request, "_new_key_cookie", None)
    if new is not None:
        response.set_cookie(
            KEY_COOKIE,
            new,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Strict",
            path="/",
        )
    elif KEY_COOKIE in request.COOKIES and not request.session.get(SESSION_KEYS):
        response.delete_cookie(KEY_COOKIE, path="/", samesite="Strict")


def staff_logged_in(request, password: str, private: PrivateKey | None = None) -> None:
    """At a staff login: open the person's key with their password (making their key pair at the first
    login), and keep it and the office keys it opens for the session. `private`: the key the login form
    already opened to check the second factor (one Argon2id derivation per login, not two)."""
    from portal.models import KeyHolder

    holder = KeyHolder.objects.filter(user=request.user).first()
    if holder is None:
        holder = holder_create(user=request.user, secret=password)
        private = holder.private
    private = private or holder_open(holder, password)
    if private is None:
        return
    keyring = Keyring(office=holder_office_keys(holder, private), user_id=request.user.pk, holder=private)
    remember(request, keyring)


def own_key(user) -> PrivateKey | None:
    """The private key of `user` if this request is theirs and their login opened it."""
    ring = current()
    return ring.holder if ring is not None and ring.user_id == user.pk else None


class RewrapOnPasswordChange:
    """A password "validator" that validates nothing: Django calls its password_changed() whenever a
    user's password is saved, wherever from. Changed in the person's own unlocked session, their key
    pair is wrapped again under the new password: their grants and second factor open as before.
    Changed anywhere else (another administrator, a command), the old key cannot be opened: the person
    gets a new key pair, is granted access again by someone who holds it, and enrols a new second
    factor at their next login (the old one was sealed to the key that no password opens any more)."""

    def validate(self, password, user=None) -> None:
        return None

    def get_help_text(self) -> str:
        return ""

    def password_changed(self, password, user=None) -> None:
        from portal import factors
        from portal.models import KeyHolder

        if user is None or user.pk is None or not KeyHolder.objects.filter(user=user).exists():
            return
        keyring = current()
        own = own_key(user)
        holder = holder_create(user=user, secret=password, private=own)
        if own is not None:
            return  # the same key pair: the session's keyring and everything sealed to it still open
        holder.grants.all().delete()
        factors.factors_drop(user=user)
        if keyring is not None and keyring.office and getattr(keyring, "user_id", None) == user.pk:
            grant(holder, keyring, by=user)

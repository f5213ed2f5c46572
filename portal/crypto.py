"""Encryption at rest and keyed hashes.

Personal data and narratives are stored as Fernet tokens under the keys in
settings.ENCRYPTION_KEYS (newest first; MultiFernet decrypts with any of them
and encrypts with the first). `manage.py rotate_encryption_key` re-encrypts
every stored value under the newest key, after which older keys can go.

Values that must be compared without decrypting (receipt passphrases, name
fingerprints for duplicate detection) are HMAC-SHA256 under settings.HMAC_KEY,
separated by purpose so that one hash can never stand in for another.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

__all__ = [
    "EncryptedBinaryField",
    "EncryptedCharField",
    "EncryptedTextField",
    "InvalidToken",
    "decrypt",
    "encrypt",
    "encrypted_fields",
    "keyed_hash",
]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return fernet().decrypt(token)


def keyed_hash(value: str, *, purpose: str) -> str:
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(settings.HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; reads give back the plain text.

    The column holds ciphertext only, so it cannot be filtered or ordered on:
    derive a keyed hash where a lookup is needed.
    """

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value.encode()).decode()

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(value.encode()).decode()

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise TypeError(f"{self.name} is encrypted and cannot be filtered by {lookup_name!r}.")
        return super().get_lookup(lookup_name)


class EncryptedCharField(EncryptedTextField):
    """An encrypted single-line value: a text input in forms and the admin."""

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"widget": forms.TextInput, **kwargs})


class EncryptedBinaryField(models.BinaryField):
    """Bytes (attachment contents) stored as a Fernet token."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None:
            value = encrypt(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)


def encrypted_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedBinaryField)
    ]

from collections.abc import Callable

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.crypto import EncryptedCharField, EncryptedTextField


class AuditEvent(models.Model):
    """One audited act of a staff member: a read of decrypted data, a role or permission change, a refusal.

    Append-only: the admin offers no way to change or delete these; a trigger refuses UPDATE and
    DELETE; the table belongs to a role of its own that the application's role is not (migration
    0004, README "The audit trail"). Each row carries the hash of its content and of the row before
    it, filled in by the database on insert: `manage.py verify_audit` names the first broken link.
    """

    # None: a change made outside any staff request (a management command, a migration).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    fields = ArrayField(models.CharField(max_length=64), default=list)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The chain, written by the database's trigger whatever the insert says (portal_auditevent_chain).
    seq = models.BigIntegerField(unique=True, null=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user or 'system'} {self.action} {self.object_type} {self.object_id}"


class Mail(models.Model):
    """One email to send: the outbox of every mail the portal sends (portal.outbox).

    A row is written in the same transaction as the change that causes it and
    sent after commit by a Celery task; `sent_at` is set only once the mail
    server accepted it. `key` names the cause, so the same cause never writes
    two rows. The text is rendered when the row is written: the sender needs no
    code of the apps. Recipients may be a source's own address: they, and the
    text, are encrypted like every other personal value.
    """

    key = models.CharField(max_length=200, unique=True)
    to = EncryptedTextField()  # one address per line
    subject = EncryptedCharField()
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The class of the last failure only: a server's reply may quote an address.
    last_error = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="mail_unsent"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def recipients(self) -> list[str]:
        return [line for line in self.to.splitlines() if line.strip()]


class RoleGrant(models.Model):
    """A role asked for a staff member by one administrator, given only when another confirms it.

    Two people for every new power: an administrator cannot make itself, or an account it controls,
    a rapporteur or a desk officer alone (portal.grants). The row is the request and its outcome;
    the audit records each step.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for confirmation"
        CONFIRMED = "confirmed", "confirmed"
        DECLINED = "declined", "declined"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="+", verbose_name="role")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "role request"
        constraints = [
            # One open request per person and role: asking twice adds nothing to confirm.
            models.UniqueConstraint(
                fields=["user", "group"], condition=models.Q(status="pending"), name="one_pending_role_grant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} for {self.user}"


# --- Keys (portal.sealing) ----------------------------------------------------------------------


class OfficeKeyQuerySet(models.QuerySet):
    def current(self) -> "OfficeKey":
        """The key new cases are sealed to: the newest one not retired."""
        key = self.filter(retired_at__isnull=True).order_by("-created_at", "-pk").first()
        if key is None:
            raise OfficeKey.DoesNotExist("no office key: run `python manage.py keys create-office-key`")
        return key


class OfficeKey(models.Model):
    """The office's key pair: its public half seals every case key; its private half exists only sealed
    to the key holders (OfficeKeyGrant). Rotation retires it once every case key is sealed anew."""

    public_key = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = OfficeKeyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"office key {self.pk} of {self.created_at:%Y-%m-%d}"


class KeyHolder(models.Model):
    """A staff member's key pair (or the recovery key's, with no user): the private half encrypted
    under a key derived from their password (Argon2id), opened only at their login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="key_holder"
    )
    label = models.CharField(max_length=40, blank=True)  # "recovery" for the recovery key
    public_key = models.BinaryField()
    private_key = models.BinaryField()
    salt = models.BinaryField()
    opslimit = models.PositiveIntegerField()
    memlimit = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["label"], condition=models.Q(user__isnull=True), name="one_recovery_key"),
        ]

    def __str__(self) -> str:
        return f"key holder {self.user or self.label}"


class OfficeKeyGrant(models.Model):
    """An office private key sealed to one holder's public key: what a login opens."""

    office_key = models.ForeignKey(OfficeKey, on_delete=models.CASCADE, related_name="grants")
    holder = models.ForeignKey(KeyHolder, on_delete=models.CASCADE, related_name="grants")
    sealed_private_key = models.BinaryField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office_key", "holder"], name="one_grant_per_holder")]

    def __str__(self) -> str:
        return f"{self.office_key} for {self.holder}"


class CaseKey(models.Model):
    """A case's key pair: values are sealed to its public half; its private half is sealed to the office
    key and, for the receipt, under the passphrase's key. Shredding sets both to NULL."""

    public_key = models.BinaryField()
    sealed_private_key = models.BinaryField(null=True)
    source_private_key = models.BinaryField(null=True)
    office_key = models.ForeignKey(OfficeKey, on_delete=models.PROTECT, related_name="case_keys")
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"case key {self.pk}"


class TOTPSeed(models.Model):
    """The key of a staff member's authenticator, sealed to their key holder's public key: only their
    password opens it (portal.factors). The device's own `key` column holds random bytes that verify
    no code, so that anything reading it without opening the seed fails closed."""

    device = models.OneToOneField(TOTPDevice, on_delete=models.CASCADE, related_name="sealed_seed")
    sealed_seed = models.BinaryField()

    def __str__(self) -> str:
        return f"sealed seed of {self.device}"


class OpenedTOTPDevice(TOTPDevice):
    """A TOTP device whose seed this request opened: its codes are checked against the opened seed,
    and saving it (django-otp saves after every check) writes back the unusable `key` unchanged."""

    seed: bytes

    class Meta:
        proxy = True

    @property
    def bin_key(self) -> bytes:
        return self.seed

    @classmethod
    def model_label(cls) -> str:
        return TOTPDevice.model_label()  # the session names the device itself, not this view of it


class KeyedStaticDevice(StaticDevice):
    """A backup-codes device whose codes are checked as keyed digests: its tokens hold digests under a
    key that only the person's password opens (portal.factors), never the codes themselves."""

    digest: Callable[[str], str]

    class Meta:
        proxy = True

    def verify_token(self, token) -> bool:
        return super().verify_token(self.digest(str(token)))

    @classmethod
    def model_label(cls) -> str:
        return StaticDevice.model_label()

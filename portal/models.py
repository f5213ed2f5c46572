from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

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

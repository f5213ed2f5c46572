"""Reads for staff screens of submissions."""

from django.db.models import F, OuterRef, Prefetch, Q, Subquery

from submissions.models import Consent, StatusChange, Submission


def with_consents() -> Prefetch:
    """For prefetch_related: each case of a list gets its consents as a plain list, which consent_pair reads.

    Prefetched into `consents` itself, Django builds a filtered queryset for every case of the list, and
    reading it builds another: half of the time of a queue page's rows."""
    return Prefetch("consents", to_attr="consents_read")


def consent_pair(submission: Submission) -> tuple[Consent | None, Consent | None]:
    """The consent that applies and the one before it, from prefetched consents when they are there."""
    consents = getattr(submission, "consents_read", None)
    if consents is None:
        consents = submission.consents.all()
    consents = sorted(consents, key=lambda c: (c.recorded_at, c.pk))
    return (consents[-1] if consents else None), (consents[-2] if len(consents) > 1 else None)


def consent_news(*, user, limit: int = 20) -> list[Submission]:
    """Cases whose source changed consent (through the receipt) after staff last acted on them, newest first.

    Staff "act" by any decision on the case or by noting the change (submission_consent_noted): both leave a
    staff row in the case's history, so the list needs no flag of its own on the case."""
    changed = Consent.objects.filter(submission=OuterRef("pk"), via="receipt").order_by("-recorded_at", "-id")
    acted = StatusChange.objects.filter(submission=OuterRef("pk"), actor="staff").order_by("-created_at", "-id")
    return list(
        Submission.objects.visible_to(user)
        .filter(pk__in=Consent.objects.filter(via="receipt").values("submission"))
        .annotate(
            consent_changed_at=Subquery(changed.values("recorded_at")[:1]),
            staff_acted_at=Subquery(acted.values("created_at")[:1]),
        )
        .filter(Q(staff_acted_at__isnull=True) | Q(staff_acted_at__lt=F("consent_changed_at")))
        .select_related("desk")
        .prefetch_related(with_consents())
        .only("reference", "desk")  # what the list shows; nothing sealed
        .order_by("-consent_changed_at")[:limit]
    )


def consent_change_unnoted(submission: Submission) -> bool:
    """Whether the source changed consent after staff last acted on the case."""
    changed = submission.consents.filter(via="receipt").order_by("-recorded_at", "-id").first()
    if changed is None:
        return False
    return not submission.status_changes.filter(actor="staff", created_at__gt=changed.recorded_at).exists()

"""Reads for staff screens of submissions."""

from django.db.models import Prefetch, prefetch_related_objects

from submissions.models import Consent, Submission, desks_seen_by


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


# Cases whose newest consent through the receipt is later than staff's newest act on them. Written out: the
# panel heads every queue page, and building it with the ORM's two subqueries cost more CPU than PostgreSQL
# spent running it (bench/profile_queue.py: an eighth of a list page).
CONSENT_NEWS = """
    SELECT s.id, s.reference, s.desk_id, changed.at AS consent_changed_at
    FROM (
        SELECT submission_id, max(recorded_at) AS at
        FROM submissions_consent
        WHERE via = 'receipt'
        GROUP BY submission_id
    ) AS changed
    JOIN submissions_submission AS s ON s.id = changed.submission_id
    WHERE NOT EXISTS (
        SELECT 1 FROM submissions_statuschange AS acted
        WHERE acted.submission_id = s.id AND acted.actor = 'staff' AND acted.created_at >= changed.at
    ) {desks}
    ORDER BY changed.at DESC, s.id DESC
    LIMIT %s
"""


def consent_news(*, user, limit: int = 20) -> list[Submission]:
    """Cases whose source changed consent (through the receipt) after staff last acted on them, newest first.

    Staff "act" by any decision on the case or by noting the change (submission_consent_noted): both leave a
    staff row in the case's history, so the list needs no flag of its own on the case. Each case holds what
    the list shows (its reference, desk and consents) and nothing sealed."""
    desks = desks_seen_by(user)
    if desks is None:
        cases = Submission.objects.raw(CONSENT_NEWS.format(desks=""), [limit])
    else:
        cases = Submission.objects.raw(CONSENT_NEWS.format(desks="AND s.desk_id = ANY(%s)"), [desks, limit])
    cases = list(cases)
    prefetch_related_objects(cases, "desk", with_consents())
    return cases


def consent_change_unnoted(submission: Submission) -> bool:
    """Whether the source changed consent after staff last acted on the case."""
    changed = submission.consents.filter(via="receipt").order_by("-recorded_at", "-id").first()
    if changed is None:
        return False
    return not submission.status_changes.filter(actor="staff", created_at__gt=changed.recorded_at).exists()

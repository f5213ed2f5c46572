"""Events other apps may act on, sent explicitly by submissions.services.

`communications` listens here so that `submissions` never imports it.
"""

from django.dispatch import Signal

# Sent when a source changed or withdrew consent, inside the transaction that records it, so that the
# change takes effect at once or not at all; kwargs: submission_id, consent (the new Consent), previous
# (the Consent it replaces, or None). Receivers must not talk to outside services (mail: portal.outbox).
consent_changed = Signal()

# Sent when a source changed, from the receipt, the list of people never to be named, inside the transaction
# that records it: an addition takes effect like a consent withdrawal, at once or not at all. kwargs:
# submission_id, change (the NeverNamedChange). Receivers must not talk to outside services.
never_named_changed = Signal()

"""Events other apps may act on, sent explicitly by submissions.services.

`communications` listens here so that `submissions` never imports it.
"""

from django.dispatch import Signal

# Sent after a source changed or withdrew consent; kwargs: submission_id.
consent_changed = Signal()

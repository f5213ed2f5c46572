"""The portal's own settings with the bench's baseline views mounted.

Same middleware, database, cache and templates as the portal, so that a
baseline view and a portal view differ only by what the view itself does.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# All bench load comes from one address, which the per-client limit of the
# intake would stop after 20 submissions.
SUBMIT_LIMIT_PER_HOUR = 10**9
# Scripted visitors post the form as soon as they have it; a person takes longer than the minimum fill time.
FORM_MIN_FILL_SECONDS = 0

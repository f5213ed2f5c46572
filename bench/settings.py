"""The portal's own settings with the bench's baseline views mounted.

Same middleware, database, cache and templates as the portal, so that a
baseline view and a portal view differ only by what the view itself does.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

ROOT_URLCONF = "bench.urls"

# Set by bench/intake.py only when collectstatic fails on the portal's own
# storage because of missing source maps (see bench/storage.py).
if os.environ.get("BENCH_TOLERATE_SOURCE_MAPS") == "1":
    STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "bench.storage.SourceMapTolerantStorage"}}

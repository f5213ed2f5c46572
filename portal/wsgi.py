import os
import sys

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from portal.heavy_uploads import HeavyUploadsTakeTurns

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# A request thread reading a large upload holds the interpreter's lock in short stretches (gunicorn reads
# the body 8 KB at a time, then hands it to the upload process); each time another thread of the same
# gunicorn process comes back from the database it waits for the lock up to the switch interval. 1 ms
# rather than Python's 5 keeps the archive's readers from queueing behind a flood of heavy reports.
sys.setswitchinterval(0.001)

application = HeavyUploadsTakeTurns(
    get_wsgi_application(),
    lock_path=settings.HEAVY_UPLOADS_LOCK,
    heavy_bytes=settings.HEAVY_UPLOAD_BYTES,
    wait_seconds=settings.HEAVY_UPLOAD_WAIT_SECONDS,
    separate="django.core.wsgi:get_wsgi_application",
)

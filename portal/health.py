"""/healthz: is every part the portal needs up?

Checks the database, the broker, the last heartbeat of a Celery worker on
each queue (`worker:intake`, ...) and of beat. Answers 200 when all are well,
503 naming what is down. Carries no personal data and needs no login, so load
balancers can call it.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.celery import QUEUES, app, heartbeat_key


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


def _broker() -> dict:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return {"ok": True}
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}


def _heartbeat(key: str, max_age: int) -> dict:
    try:
        seen = cache.get(key)
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    if seen is None:
        return {"ok": False, "error": "never seen"}
    age = round(time.time() - seen, 1)
    return {"ok": age <= max_age, "age_seconds": age}


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _database(),
        "broker": _broker(),
        **{f"worker:{queue}": _heartbeat(heartbeat_key(queue), settings.HEALTH_WORKER_MAX_AGE) for queue in QUEUES},
        "beat": _heartbeat("health:beat", settings.HEALTH_BEAT_MAX_AGE),
    }
    down = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "ok" if not down else "down", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)

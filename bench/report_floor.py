"""What any report costs before the portal does its own work: a Celery task that does nothing.

    python -m portal.embedded --data .data/bench -- python bench/report_floor.py [--tasks 2000] [--rounds 3]

A report hands its screening to a Celery worker. This measures that hand-over alone, with the
portal's settings and broker: `--tasks` no-op tasks (portal.tasks.beat_heartbeat) sent to the intake
queue from this process, as the web process sends a report's screening after its commit, then
consumed by one Celery worker started as bench/intake.py starts it. Per task: the CPU of sending
(this process), of the worker and of Redis. With bench/intake.py's POST /bench/insert/ baseline (a
form-encoded POST through the portal's middleware and one INSERT), it is the floor under the report
goal of issue #17 (10.4 ms of server CPU): what is left of it for the forms, the sealing, the rows,
the receipt page and the screening itself.

The first round warms the worker up; read the later ones.

Then, in this process, two parts of a report that no way of writing the intake can leave out, each
`--reports` times: the cryptography of sealing it (the case's key pair made, its private half sealed to
the office and wrapped for the receipt, and as many values sealed as a report posted through /submit/
stores, the report's own values), and the worker's routing of it (submissions.services.submission_screen
on reports posted through /submit/ in this process, its database backend's CPU with it).
"""

import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import stack  # noqa: E402

QUEUE = "intake"


def _queue_empty() -> bool:
    import redis
    from django.conf import settings

    with redis.Redis.from_url(settings.REDIS_URL) as broker:
        return broker.llen(QUEUE) == 0


def _backend_cpu_ms(pid: int) -> float:
    """CPU used so far by a PostgreSQL backend (utime + stime, /proc), in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _post_reports(count: int) -> list[int]:
    """Reports posted through /submit/ in this process (their screening tasks left in the queue): their ids."""
    from urllib.parse import urlencode

    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench.load import csrf_token
    from submissions.models import Submission
    from tests.support.intake import report_data

    setup_test_environment()
    client = Client(enforce_csrf_checks=True)
    token = csrf_token(client.get("/submit/").content)
    newest = Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for _ in range(count):
        body = urlencode({**report_data(), "action": "submit", "csrfmiddlewaretoken": token}, doseq=True)
        answer = client.post("/submit/", body, content_type="application/x-www-form-urlencoded")
        if answer.status_code != 200 or b'id="receipt-reference"' not in answer.content:
            raise SystemExit(f"POST /submit/ answered HTTP {answer.status_code}")
    return list(Submission.objects.filter(pk__gt=newest).order_by("pk").values_list("pk", flat=True))


def _sealed_values(submission_id: int) -> int:
    """How many values a report stores sealed: the non-empty sealed columns of the case and of its rows."""
    from django.apps import apps

    from portal import sealing
    from submissions.models import Submission

    count = 0
    for model in apps.get_app_config("submissions").get_models():
        fields = sealing.sealed_fields(model)
        if model is Submission:
            rows = model.objects.filter(pk=submission_id)
        elif fields and any(field.name == "submission" for field in model._meta.fields):
            rows = model.objects.filter(submission_id=submission_id)
        else:
            continue
        count += sum(1 for values in rows.values_list(*fields) for value in values if value)
    return count


def in_process(reports: int) -> dict:
    """CPU ms per report of sealing it and of routing it, in this process."""
    from types import SimpleNamespace

    import redis
    from django.conf import settings
    from django.db import connection
    from nacl.public import PrivateKey, PublicKey, SealedBox

    from portal import sealing
    from portal.models import OfficeKey
    from submissions.services import submission_screen
    from tests.support.intake import report_data

    posted = _post_reports(reports)
    with redis.Redis.from_url(settings.REDIS_URL) as broker:
        broker.delete(QUEUE)  # their screening is done below, in this process
    sealed = _sealed_values(posted[0])
    texts = [value for value in report_data().values() if isinstance(value, str) and value]
    values = [texts[n % len(texts)] for n in range(sealed)]
    office = PublicKey(bytes(OfficeKey.objects.current().public_key))

    began = time.process_time()
    for number in range(reports):
        private = PrivateKey.generate()
        SealedBox(office).encrypt(bytes(private))
        sealing.wrap(sealing.passphrase_key(f"HRD-{number}", "a passphrase of the receipt"), bytes(private))
        case_key = SimpleNamespace(pk=number, public_key=bytes(private.public_key))
        for value in values:
            sealing.seal_text(case_key, value)
    seal = (time.process_time() - began) * 1000 / reports

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    began, backend_began = time.process_time(), _backend_cpu_ms(backend)
    routed = sum(submission_screen(submission_id=pk) for pk in posted)
    route = (time.process_time() - began) * 1000 / len(posted)
    route_db = (_backend_cpu_ms(backend) - backend_began) / len(posted)
    if routed != len(posted):
        raise SystemExit(f"routed {routed} of {len(posted)} reports")
    print(
        f"in this process, CPU ms per report ({reports} reports): sealing it ({sealed} values and the case key) "
        f"{seal:.2f}; routing it {route:.2f}, its database backend {route_db:.2f}",
        flush=True,
    )
    return {"reports": reports, "sealed_values": sealed, "seal": seal, "route": route, "route_db": route_db}


def main() -> int:
    parser = stack.parser(__doc__, data=".data/bench")
    parser.add_argument("--tasks", type=int, default=2000, help="no-op tasks per round (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3)")
    parser.add_argument("--reports", type=int, default=300, help="reports sealed and routed in this process (300)")
    args = parser.parse_args()
    run = stack.begin("report_floor.py", args)
    if run is None:
        return 2
    from portal.tasks import beat_heartbeat

    rounds = []
    with stack.Stack(run.env, run.logs, webs=0) as running:  # the worker alone: no web takes part
        meter = running.meter()
        for number in range(1, args.rounds + 1):
            before, began = meter(), time.process_time()
            for _ in range(args.tasks):
                beat_heartbeat.apply_async(queue=QUEUE)
            sending = (time.process_time() - began) * 1000 / args.tasks
            while not _queue_empty():
                time.sleep(0.1)
            time.sleep(1.0)  # the last tasks acknowledged
            running.check()
            after = meter()
            used = {name: (after[name] - before.get(name, 0.0)) * 1000 / args.tasks for name in after}
            rounds.append({"sending": sending, **used})
            part = {name: used.get(name, 0.0) for name in ("celery", "redis", "postgres", "machine")}
            print(
                f"round {number}/{args.rounds}: CPU ms per task: sending {sending:.2f}, worker {part['celery']:.2f}, "
                f"Redis {part['redis']:.2f}, PostgreSQL {part['postgres']:.2f}; machine {part['machine']:.2f}",
                flush=True,
            )
    parts = in_process(args.reports)
    stack.save(run, {"settings": run.settings, "rounds": rounds, "in_process": parts})
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
"""

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


def main() -> int:
    parser = stack.parser(__doc__, data=".data/bench")
    parser.add_argument("--tasks", type=int, default=2000, help="no-op tasks per round (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3)")
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
    stack.save(run, {"settings": run.settings, "rounds": rounds})
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bench of the intake: submission POST and empty form GET against minimal Django baselines.

    python -m portal.embedded --data .data/bench -- python bench/intake.py [options]

Runs gunicorn (DEBUG=0, DJANGO_SETTINGS_MODULE=bench.settings, access log
off) and a Celery worker on PostgreSQL and Redis, then measures, at the same
concurrency and for the same time each:

  text    GET  /bench/text/   HttpResponse("ok")                 baseline of (b)
  form    GET  /submit/       the empty intake form              (b)
  insert  POST /bench/insert/ one INSERT, the same request body  baseline of (a)
  submit  POST /submit/       a complete case, action=submit     (a)

and (c) the transfer size of /submit/ and /ru/submit/ with their stylesheets
and scripts.
Prints a table and writes bench/results/intake-<timestamp>.json. bench/README.md
explains how to read the figures.
"""

import argparse
import json
import os
import re
import secrets
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/intake.py`: import from the project root (bench, tests,
# portal), not from bench/ itself, whose urls.py and settings.py are modules of bench.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import load, stack, transfer  # noqa: E402
from tests.support.intake import report_data  # noqa: E402

RESULTS_DIR = BASE_DIR / "bench" / "results"
HOST = "127.0.0.1"
GOAL_SUBMIT_RATIO = 0.5  # submission POST rps / INSERT baseline rps
GOAL_FORM_RATIO = 0.1  # form GET rps / text baseline rps
GOAL_TRANSFER_BYTES = 150_000  # the submission page with its CSS and JS, compressed
# The intake in English and in Russian, which many sources read (Cyrillic
# takes two bytes a letter in UTF-8).
TRANSFER_PAGES = ("/submit/", "/ru/submit/")
RECEIPT_MARK = b'id="receipt-reference"'
_CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOKEN_PLACEHOLDER = "f" * 32
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def _prepare(env: dict[str, str], log: Path) -> list[str]:
    """Migrate, collect static files as production does, create bench_row; return warnings."""
    stack.prepare(env, log)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_row ("
            " id bigserial PRIMARY KEY, body text, created_at timestamptz DEFAULT now())"
        )
        # Every run inserts into a table of the same size, and starts with
        # fresh statistics so that autovacuum is less likely to run mid-window.
        cursor.execute("TRUNCATE bench_row")
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return []


# bench/archive.py imports these from here; they live in bench/stack.py.
_bench_env = stack.environment
_code_version = stack.code_version
_manage = stack.manage
_database_and_redis_pids = stack.database_and_redis_pids


# --- The four targets -------------------------------------------------------


def _submission_body() -> str:
    """The complete case as the form posts it; the token is swapped per request."""
    return urlencode({**report_data(token=_TOKEN_PLACEHOLDER), "action": "submit"}, doseq=True)


def _text(client: load.Client) -> str | None:
    answer = client.request("GET", "/bench/text/")
    if answer.status != 200 or answer.body != b"ok":
        return f"text: HTTP {answer.status}"
    return None


def _form(client: load.Client) -> str | None:
    answer = client.request("GET", "/submit/")
    if answer.status != 200 or not _CSRF_FIELD.search(answer.body):
        return f"form: HTTP {answer.status}"
    return None


def _insert_call(body: bytes):
    def call(client: load.Client) -> str | None:
        answer = client.request("POST", "/bench/insert/", body=body, headers=_FORM_HEADERS)
        if answer.status != 200 or answer.body != b"ok":
            return f"insert: HTTP {answer.status}"
        return None

    return call


def _submit_setup(client: load.Client) -> None:
    """Get the form once per client: the CSRF cookie and the token that goes with it."""
    answer = client.request("GET", "/submit/")
    found = _CSRF_FIELD.search(answer.body)
    if answer.status != 200 or not found or "csrftoken" not in client.cookies:
        raise RuntimeError(f"no CSRF token from GET /submit/ (HTTP {answer.status})")
    client.state["body"] = f"{_submission_body()}&{urlencode({'csrfmiddlewaretoken': found.group(1).decode()})}"


def _submit(client: load.Client) -> str | None:
    # A fresh token each time: the portal answers 409 to a token it has seen.
    body = client.state["body"].replace(_TOKEN_PLACEHOLDER, secrets.token_hex(16)).encode()
    answer = client.request("POST", "/submit/", body=body, headers=_FORM_HEADERS)
    if answer.status != 200:
        return f"submit: HTTP {answer.status}"
    if RECEIPT_MARK not in answer.body:
        return "submit: 200 without a receipt"
    return None


def targets() -> list[load.Target]:
    insert_body = _submission_body().replace(_TOKEN_PLACEHOLDER, secrets.token_hex(16)).encode()
    return [
        load.Target("text", "GET /bench/text/ (baseline)", _text),
        load.Target("form", "GET /submit/ (empty form)", _form),
        load.Target("insert", "POST /bench/insert/ (baseline)", _insert_call(insert_body)),
        load.Target("submit", "POST /submit/ (action=submit)", _submit, setup=_submit_setup),
    ]


# --- Report -----------------------------------------------------------------

ORDER = ("text", "form", "insert", "submit")
SERVER_PARTS = ("gunicorn", "celery", "postgres", "redis")
# Shown next to the server parts but not counted in them (bench/cpu.py).
PART_COLUMNS = (*SERVER_PARTS, "postgres-background")


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _cost(result: load.Result) -> float:
    return result.cpu_ms_per_request.get("server", float("nan"))


def _other_cores(result: load.Result) -> float:
    cores = result.cpu_cores
    if not {"machine", "server", "client"} <= set(cores):
        return float("nan")
    return cores["machine"] - cores["server"] - cores["client"] - cores.get("postgres-background", 0.0)


def _screening(segments: list[load.Segment], drains: list[dict], result: load.Result) -> dict:
    """The Celery worker's share of a submission, including what it screened after the windows."""
    during = sum(segment.cpu.get("celery", 0.0) for segment in segments)
    after = sum(drain["celery_cpu_seconds"] for drain in drains)
    return {
        "backlog_at_window_end": [drain["backlog"] for drain in drains],
        "drain_seconds": [round(drain["seconds"], 2) for drain in drains],
        "celery_cpu_ms_per_submission": (during + after) * 1000 / result.requests if result.requests else float("nan"),
    }


def report(
    results: dict[str, load.Result], weights: list[transfer.PageWeight], settings: dict, screening: dict
) -> dict:
    submit_ratio = _ratio(results["submit"].rps, results["insert"].rps)
    form_ratio = _ratio(results["form"].rps, results["text"].rps)
    # The same ratios from the server CPU each request cost: what the throughput
    # ratios would be on a machine busy with nothing else, the servers CPU-bound.
    submit_cost_ratio = _ratio(_cost(results["insert"]), _cost(results["submit"]))
    form_cost_ratio = _ratio(_cost(results["text"]), _cost(results["form"]))
    compressed = max(weight.compressed_bytes for weight in weights)
    uncompressed = [resource for weight in weights for resource in weight.uncompressed]
    errors = sum(result.errors for result in results.values())
    other = max((_other_cores(result) for result in results.values()), default=float("nan"))
    goals = {
        "submit_over_insert": {
            "ratio": submit_ratio,
            "ratio_by_server_cpu": submit_cost_ratio,
            "goal": GOAL_SUBMIT_RATIO,
            "met": submit_ratio >= GOAL_SUBMIT_RATIO,
        },
        "form_over_text": {
            "ratio": form_ratio,
            "ratio_by_server_cpu": form_cost_ratio,
            "goal": GOAL_FORM_RATIO,
            "met": form_ratio >= GOAL_FORM_RATIO,
        },
        "transfer_bytes": {
            "bytes": compressed,
            "goal": GOAL_TRANSFER_BYTES,
            "met": compressed < GOAL_TRANSFER_BYTES and not uncompressed,
            "met_if_html_compressed": compressed < GOAL_TRANSFER_BYTES,
        },
        "no_errors": errors == 0,
    }

    print()
    print(
        f"{settings['clients']} connections; {settings['rounds']} rounds of {settings['duration']:g} s per target, "
        f"each after {settings['warmup']:g} s warm-up; gunicorn {settings['workers']} x "
        f"{settings['worker_class']}/{settings['threads']} threads, DEBUG=0; Celery worker running"
    )
    header = (
        f"{'target':<31} {'rps':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'server CPU ms/req':>17} {'client cores':>12} {'other cores':>11}"
    )
    print(header)
    print("-" * len(header))
    for name in ORDER:
        result = results[name]
        print(
            f"{result.label:<31} {result.rps:>7.1f} {result.p50_ms:>7.1f} {result.p99_ms:>7.1f} {result.errors:>6} "
            f"{_cost(result):>17.2f} {result.cpu_cores.get('client', float('nan')):>12.2f} "
            f"{_other_cores(result):>11.2f}"
        )
        for sample in result.error_samples:
            print(f"    error: {sample}")
    parts = [part for part in PART_COLUMNS if any(part in r.cpu_ms_per_request for r in results.values())]
    if parts:
        print()
        print(
            f"{'CPU ms per request':<31} "
            + " ".join(f"{part.replace('postgres-background', 'pg-bg'):>9}" for part in parts)
        )
        for name in ORDER:
            costs = results[name].cpu_ms_per_request
            print(f"{results[name].label:<31} " + " ".join(f"{costs.get(part, float('nan')):>9.2f}" for part in parts))
        print(
            "(server = gunicorn + celery + postgres backends + redis; "
            "pg-bg, PostgreSQL's background processes, is not in it)"
        )
    print(
        f"Celery screening: {screening['celery_cpu_ms_per_submission']:.2f} ms CPU per submission; "
        f"unscreened at the end of each submit window: {screening['backlog_at_window_end']}, "
        f"screened within {screening['drain_seconds']} s"
    )
    print()
    print(
        f"(a) submission POST / INSERT baseline: {submit_ratio:.3f}  "
        f"(goal >= {GOAL_SUBMIT_RATIO}: {_verdict(goals['submit_over_insert']['met'])}; "
        f"by server CPU per request: {submit_cost_ratio:.3f})"
    )
    print(
        f"(b) form GET / text baseline:          {form_ratio:.3f}  "
        f"(goal >= {GOAL_FORM_RATIO}: {_verdict(goals['form_over_text']['met'])}; "
        f"by server CPU per request: {form_cost_ratio:.3f})"
    )
    if other > 0.2:
        print(
            f"    NOTE: other programs used up to {other:.2f} cores during the run; "
            "throughput figures are held down by them, the CPU-based ratios much less."
        )
    print()
    print(f"(c) transfer as a browser gets it (Accept-Encoding: {transfer.BROWSER_ENCODINGS}), bodies only:")
    for weight in weights:
        print(f"    {'resource':<58} {'encoding':>9} {'wire B':>8} {'raw B':>8} {'gzip B':>8}")
        for resource in weight.resources:
            path = "/" + resource.url.split("//", 1)[-1].split("/", 1)[-1]
            print(
                f"    {path:<58} {resource.encoding:>9} {resource.wire_bytes:>8} "
                f"{resource.raw_bytes:>8} {resource.gzip_bytes:>8}"
            )
        print(f"    {weight.page + ' as sent now:':<32} {weight.wire_bytes:>8} B = {weight.wire_bytes / 1000:.1f} KB")
        print(
            f"    {weight.page + ' all compressed:':<32} {weight.compressed_bytes:>8} B = "
            f"{weight.compressed_bytes / 1000:.1f} KB  (goal < {GOAL_TRANSFER_BYTES / 1000:.0f} KB: "
            f"{_verdict(weight.compressed_bytes < GOAL_TRANSFER_BYTES)})"
        )
        for resource in weight.uncompressed:
            print(
                f"    NOTE: the {resource.kind} {resource.url} is sent uncompressed; "
                f"gzip would make it {resource.gzip_bytes} B"
            )
        print()
    for warning in settings.get("warnings", []):
        print(f"\nWARNING: {warning}")
    if errors:
        print(f"\n{errors} requests failed: the figures above are not valid.")

    return {
        "settings": settings,
        "results": {name: asdict(results[name]) for name in ORDER},
        "ratios": {
            "submit_over_insert": submit_ratio,
            "form_over_text": form_ratio,
            "submit_over_insert_by_server_cpu": submit_cost_ratio,
            "form_over_text_by_server_cpu": form_cost_ratio,
        },
        "transfer": [
            {
                "page": weight.page,
                "wire_bytes": weight.wire_bytes,
                "compressed_bytes": weight.compressed_bytes,
                "uncompressed_resources": [resource.url for resource in weight.uncompressed],
                "resources": [asdict(resource) for resource in weight.resources],
            }
            for weight in weights
        ],
        "screening": screening,
        "goals": goals,
    }


# --- Run --------------------------------------------------------------------


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive connections (8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the four targets (3)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds measured per target and round (5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per target and round (1)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (gthread)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    parser.add_argument(
        "--data",
        default=str(BASE_DIR / ".data" / "bench"),
        help="folder for the bench's static files and logs (.data/bench, as in the command above)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not stack.servers_at_hand("intake.py", ".data/bench"):
        return 2

    data = Path(args.data).resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = stack.environment(data)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    settings = {
        "started": stamp,
        "clients": args.clients,
        "rounds": args.rounds,
        "duration": args.duration,
        "warmup": args.warmup,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "python": sys.version.split()[0],
        **stack.code_version(),
    }

    print("preparing the database and static files (DEBUG=0, bench.settings)", flush=True)
    log = logs / "prepare.log"
    log.write_text("")
    settings["warnings"] = _prepare(env, log)

    running = stack.Stack(
        env,
        logs,
        webs=1,
        workers=1,
        gunicorn_workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        ready_path="/bench/text/",
    )
    port = running.port
    segments: dict[str, list[load.Segment]] = {name: [] for name in ORDER}
    drains: list[dict] = []
    plan = {target.name: target for target in targets()}
    try:
        running.start()
        meter = running.meter()
        print(f"gunicorn on 127.0.0.1:{port}, Celery worker up", flush=True)

        # Cases left unscreened by an interrupted earlier run may have lost
        # their message; the sweep that beat runs every minute finds them.
        from submissions.tasks import sweep

        sweep.delay(older_than_seconds=0)
        leftover = stack.drain(running.workers, meter)
        if leftover["backlog"]:
            print(f"screened {leftover['backlog']} submissions left by an earlier run", flush=True)

        weights = [transfer.measure(host=HOST, port=port, page=page) for page in TRANSFER_PAGES]
        # Rounds over the targets, so that a burst of other work on the
        # machine falls on all four rather than on one.
        for round_number in range(1, args.rounds + 1):
            for name in ORDER:
                print(f"round {round_number}/{args.rounds}: {plan[name].label}", flush=True)
                segments[name].append(
                    load.run(
                        plan[name],
                        host=HOST,
                        port=port,
                        clients=args.clients,
                        warmup=args.warmup,
                        duration=args.duration,
                        meter=meter,
                    )
                )
                if name == "submit":
                    # Screening the window's submissions must not spill into
                    # the next round's baselines.
                    drains.append(stack.drain(running.workers, meter))
                running.check()
    finally:
        running.stop()

    results = {name: load.merge(plan[name], segments[name], clients=args.clients) for name in ORDER}
    summary = report(results, weights, settings, _screening(segments["submit"], drains, results["submit"]))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"intake-{stamp}.json"
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(f"\nresults: {path.relative_to(BASE_DIR)}")
    return 1 if not summary["goals"]["no_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())

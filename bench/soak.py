"""Soak of the whole portal: mixed traffic through gunicorn for ten minutes, with Celery workers and beat.

    python -m portal.embedded --data .data/soak -- python bench/soak.py [--scale 10000] [--duration 600] [--rate 8]
    python -m portal.embedded --data .data/soak -- python bench/soak.py --scale-out

1. Migrates, collects static files, and seeds the database to --scale
   submissions (bench/seed_queue.py) and --scale released communications
   (bench/seed_archive.py), unless it holds that many already; then --due
   communications drafted, approved and sent through the services 60 days
   before a moment of the coming run, so that beat's 60-day clock releases
   them while the traffic runs.
2. Starts the portal as production runs it, with the portal's own settings
   (DEBUG off, HTTP on 127.0.0.1, the production rate limits): gunicorn, a
   Celery worker and beat; with --scale-out two gunicorn instances on two
   ports, two Celery workers and one beat sharing one PostgreSQL and one Redis.
3. Sends visits at random (Poisson) moments, at --rate HTTP requests per
   second on average, for --duration seconds. Each visit is one person with a
   browser of their own: a client address of its own on loopback (127.x.y.z,
   so the per-address limits see many people, as in production), its own
   cookies, and a new connection; under --scale-out each request of a visit
   goes to either instance, so nothing may depend on a sticky session. Visits:
   public browsing and search (English and /ru/, HTML, feed, statistics, PDF,
   API), a report through the real two-step form with a small PDF or PNG
   attached, a receipt login with a passphrase from a receipt of this run
   (sometimes after a wrong passphrase), staff queue pages by staff logged in
   through the admin form with a TOTP code, and load-balancer health checks.
4. Waits for the workers to screen everything and for beat to release what
   fell due, then checks in the database that nothing was lost or done
   twice, and prints a table; writes bench/results/soak-<timestamp>.json.

bench/README.md explains the set-up and how to read the figures.
"""

import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Run as `python bench/soak.py`: import from the project root, not from bench/,
# whose queue.py would shadow the standard library's queue module.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

import html  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402
import os  # noqa: E402
import queue  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from bench import cpu, load, stack  # noqa: E402
from bench.stack import HOST  # noqa: E402

DESK = "central-asia"  # the desk officers' desk
RU_SHARE = 0.3  # of public and intake visits, in Russian
WRONG_PASSPHRASE_SHARE = 0.2  # of receipt visits, a wrong passphrase first
SUBMIT_AGAIN_SHARE = 0.1  # of reports, the final button pressed twice (a double click, a reload)
# A person takes a while to fill the form: the portal takes a report only from a form at least
# FORM_MIN_FILL_SECONDS old (5 as deployed), so a visit sends its report no sooner.
FILL_SECONDS = float(os.environ.get("FORM_MIN_FILL_SECONDS", "5")) + 0.5
_TOKEN = re.compile(rb'name="token" value="([^"]+)"')
_REFERENCE = re.compile(rb'id="receipt-reference">([^<]+)<')
_PASSPHRASE = re.compile(rb'id="receipt-passphrase">([^<]+)<')
_FORM = load.FORM["Content-Type"]

# Visits: (name, weight, HTTP requests it makes on average). The weights are shares of visits.
VISITS = [
    ("public", 62, 3.0),
    ("report", 12, 3.05),
    ("receipt", 10, 3.2),
    ("staff", 13, 2.0),
    ("health", 3, 1.0),
]
# Pages of a public visit: (kind, weight).
PUBLIC = [
    ("home", 8),
    ("list", 16),
    ("search", 22),
    ("detail", 18),
    ("pdf", 2),
    ("feed", 4),
    ("stats", 5),
    ("api list", 8),
    ("api search", 9),
    ("api detail", 8),
]
ORDER = [
    *(kind for kind, _ in PUBLIC),
    "form",
    "review",
    "submit",
    "submit again",
    "receipt form",
    "receipt wrong",
    "receipt login",
    "receipt case",
    "staff index",
    "staff list",
    "staff case",
    "healthz",
]
TICK_SECONDS = 5.0
COUNTRIES = ["TJ", "KZ", "KG", "UZ", "TM", "RU", "BY", "AZ", "IN", "PH", "CO", "MX", "EG", "TR", "KE"]


# --- What a visit needs to know ----------------------------------------------------


@dataclass
class Plan:
    """The data the visits draw from: addresses that exist, and the receipts given so far."""

    ports: list[int]
    slugs: list[str]
    recipients: list[str]
    years: list[int]
    terms: list[str]
    case_ids: list[int]
    staff_pages: list[tuple[str, str, bytes]]  # bench/queue.py's pages: (name, path, marker)
    evidence: list[tuple[str, str, bytes]]
    staff: queue.Queue
    duplicate_tasks: int = 0  # extra screening messages per report
    receipts: list[tuple[str, str]] = field(default_factory=list)
    addresses: itertools.count = field(default_factory=lambda: itertools.count(1))


@dataclass
class Sample:
    kind: str
    at: float  # when the request was sent, in seconds from the start of the run
    seconds: float
    error: str | None


class Run:
    """Samples of every request, and the visits' own record of what they got."""

    def __init__(self, began: float):
        self.began = began
        self.samples: list[Sample] = []
        self.lags: list[float] = []  # how late a visit started after its scheduled moment
        self.visit_errors: list[str] = []
        self.submitted_again = 0
        self.ru = 0


def _address(plan: Plan) -> str:
    """A loopback address of its own for each visit: 127.1.0.1, 127.1.0.2, ..."""
    number = next(plan.addresses)
    return f"127.{1 + number // 65_000 % 250}.{number // 254 % 256}.{number % 254 + 1}"


class Visitor:
    """One browser: cookies, an address, and one keep-alive connection per gunicorn instance."""

    def __init__(self, plan: Plan, run: Run, rng: random.Random, *, address: str | None = None):
        self.run, self.rng = run, rng
        # A connection idle for a second is opened anew: gunicorn drops it after 2 s (see load.Client).
        self.clients = [load.Client(HOST, port, source_address=address, max_idle=1.0) for port in plan.ports]
        for client in self.clients[1:]:
            client.cookies = self.clients[0].cookies  # one browser, whichever instance answers

    @property
    def cookies(self) -> dict[str, str]:
        return self.clients[0].cookies

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        expect: int = 200,
        marker: bytes | None = None,
    ) -> load.Response | None:
        """One request to any instance; None (and an error recorded) unless the answer is the expected one."""
        headers = {"Content-Type": content_type} if content_type else {}
        if method == "POST":
            headers["Origin"] = "null"  # what a browser sends under Referrer-Policy: no-referrer
        client = self.rng.choice(self.clients)
        began = time.perf_counter()
        error = None
        answer = None
        try:
            answer = client.request(method, path, body=body, headers=headers)
            if answer.status != expect:
                moved = answer.headers.get("Location")
                error = f"{kind}: HTTP {answer.status} (expected {expect}) {method} {path}"
                error += f" -> {moved}" if moved else ""
            elif marker is not None and marker not in answer.body:
                error = f"{kind}: HTTP {answer.status} without {marker.decode(errors='replace')!r}"
        except Exception as problem:
            error = f"{kind}: {type(problem).__name__}: {problem}"
        ended = time.perf_counter()
        self.run.samples.append(Sample(kind, began - self.run.began, ended - began, error))
        return None if error else answer

    def fresh_connections(self) -> None:
        # gunicorn closes a keep-alive connection after 2 s idle: a new visit opens new ones, as a browser would.
        for client in self.clients:
            client.close()

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def __enter__(self) -> "Visitor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- Visits --------------------------------------------------------------------------


def _prefix(rng: random.Random, run: Run) -> str:
    if rng.random() < RU_SHARE:
        run.ru += 1
        return "/ru"
    return ""


def visit_public(plan: Plan, run: Run, rng: random.Random) -> None:
    kinds, weights = zip(*PUBLIC, strict=True)
    with Visitor(plan, run, rng, address=_address(plan)) as visitor:
        for _ in range(rng.choice([2, 3, 4])):
            kind = rng.choices(kinds, weights)[0]
            prefix = _prefix(rng, run) if not kind.startswith("api") else ""
            slug = rng.choice(plan.slugs)
            if kind == "home":
                path, marker = f"{prefix}/", b"/submit/"
            elif kind == "list":
                query = rng.choice(
                    [
                        {},
                        {"page": rng.randrange(2, 30)},
                        {"kind": rng.choice(["UA", "AL", "OL"])},
                        {"recipient": rng.choice(plan.recipients), "year": rng.choice(plan.years)},
                        {"reply": "substantive", "kind": "AL"},
                    ]
                )
                path = f"{prefix}/communications/" + (f"?{urlencode(query)}" if query else "")
                marker = b"archive-filters"
            elif kind == "search":
                query = {"q": rng.choice(plan.terms)}
                if rng.random() < 0.5:
                    query.update(
                        rng.choice([{"kind": "AL", "reply": "substantive"}, {"recipient": rng.choice(plan.recipients)}])
                    )
                path, marker = f"{prefix}/communications/?{urlencode(query)}", b"archive-filters"
            elif kind == "detail":
                path, marker = f"{prefix}/communications/{slug}/", b'id="letter-title"'
            elif kind == "pdf":
                path, marker = f"{prefix}/communications/{slug}/letter.pdf", b"%PDF"
            elif kind == "feed":
                path, marker = f"{prefix}/communications/feed/", b"<feed"
            elif kind == "stats":
                path, marker = f"{prefix}/communications/stats/", b"<svg"
            elif kind == "api list":
                query = {"limit": 20, **rng.choice([{}, {"kind": "UA"}, {"recipient": rng.choice(plan.recipients)}])}
                path, marker = f"/api/v1/communications?{urlencode(query)}", b'"items"'
            elif kind == "api search":
                path, marker = (
                    f"/api/v1/communications?{urlencode({'q': rng.choice(plan.terms), 'limit': 20})}",
                    b'"items"',
                )
            else:
                path, marker = f"/api/v1/communications/{slug}", b'"reference"'
            if visitor.request(kind, "GET", path, marker=marker) is None:
                return


def _report(rng: random.Random) -> dict:
    """A varied, fictional case as the form posts it (tests/support/intake.py's, with other names and places)."""
    from bench.seed_queue import NAMES, NARRATIVES_EN, NARRATIVES_RU
    from tests.support.intake import report_data

    country = rng.choice(COUNTRIES)
    return report_data(
        **{
            "defender-0-name": rng.choice(NAMES),
            "defender-0-country": country,
            "defender-0-gender": rng.choice(["woman", "man"]),
            "incident-country": country,
            "incident-description": rng.choice(NARRATIVES_EN + NARRATIVES_RU),
            "incident-violation_types": rng.sample(
                ["arbitrary_detention", "torture", "death_threats", "judicial_harassment", "surveillance"],
                rng.choice([1, 2]),
            ),
            "incident-current_situation": rng.choice([[], ["detained"], ["death_threats"]]),
            "consent-public_naming": rng.choice(["yes", "no"]),
        }
    )


def _multipart(fields: dict, files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = f"----soak{secrets.token_hex(12)}"
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(head.encode() + str(item).encode() + b"\r\n")
    for name, filename, content_type, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def visit_report(plan: Plan, run: Run, rng: random.Random) -> None:
    """The two steps of the form (the report, then attachments and review), and the receipt."""
    prefix = _prefix(rng, run)
    with Visitor(plan, run, rng, address=_address(plan)) as visitor:
        form = visitor.request("form", "GET", f"{prefix}/submit/", marker=b'name="token"')
        if form is None:
            return
        fetched = time.monotonic()
        token = _TOKEN.search(form.body).group(1).decode()
        fields = {**_report(rng), "token": token, "csrfmiddlewaretoken": load.csrf_token(form.body)}
        body = urlencode({**fields, "action": "review"}, doseq=True).encode()
        review = visitor.request(
            "review",
            "POST",
            f"{prefix}/submit/",
            body=body,
            content_type=_FORM,
            marker=b'enctype="multipart/form-data"',
        )
        if review is None:
            return
        found = _TOKEN.search(review.body)
        if not found or found.group(1).decode() != token:
            run.visit_errors.append("review: the form's token did not come back")
            return
        fields["csrfmiddlewaretoken"] = load.csrf_token(review.body)
        body, content_type = _multipart(
            {**fields, "action": "submit"}, [("attachments-files", *rng.choice(plan.evidence))]
        )
        time.sleep(max(0.0, fetched + FILL_SECONDS - time.monotonic()))  # reading the review before sending
        answer = visitor.request("submit", "POST", f"{prefix}/submit/", body=body, content_type=content_type,
                                 marker=b'id="receipt-reference"')  # fmt: skip
        if answer is None:
            return
        reference = html.unescape(_REFERENCE.search(answer.body).group(1).decode())
        found = _PASSPHRASE.search(answer.body)
        if not found:
            run.visit_errors.append(f"submit: receipt {reference} without a passphrase")
            return
        plan.receipts.append((reference, html.unescape(found.group(1).decode())))
        if plan.duplicate_tasks:
            _screen_again(reference, plan.duplicate_tasks)
        if rng.random() < SUBMIT_AGAIN_SHARE:
            # The same form posted again: the portal must recognise its token and store nothing.
            run.submitted_again += 1
            visitor.request("submit again", "POST", f"{prefix}/submit/", body=body, content_type=content_type,
                            expect=409)  # fmt: skip


def _screen_again(reference: str, times: int) -> None:
    """Offer the report's screening to the workers again, at once: the same work as a redelivered message."""
    from django.db import connection

    from submissions.models import Submission
    from submissions.tasks import screen_submission

    try:
        submission_id = Submission.objects.filter(reference=reference).values_list("pk", flat=True).get()
    finally:
        connection.close()
    for _ in range(times):
        screen_submission.delay(submission_id)


def visit_receipt(plan: Plan, run: Run, rng: random.Random) -> None:
    if not plan.receipts:
        visit_public(plan, run, rng)  # the first seconds: no receipt given yet
        return
    reference, passphrase = rng.choice(plan.receipts)
    prefix = _prefix(rng, run)
    with Visitor(plan, run, rng, address=_address(plan)) as visitor:
        form = visitor.request("receipt form", "GET", f"{prefix}/receipt/", marker=b'name="passphrase"')
        if form is None:
            return
        csrf = load.csrf_token(form.body)
        if rng.random() < WRONG_PASSPHRASE_SHARE:
            wrong = " ".join(reversed(passphrase.split()))
            body = urlencode({"csrfmiddlewaretoken": csrf, "reference": reference, "passphrase": wrong}).encode()
            answer = visitor.request("receipt wrong", "POST", f"{prefix}/receipt/", body=body, content_type=_FORM,
                                     expect=400, marker=b'id="error-summary"')  # fmt: skip
            if answer is None:
                return
            csrf = load.csrf_token(answer.body)
        body = urlencode({"csrfmiddlewaretoken": csrf, "reference": reference, "passphrase": passphrase}).encode()
        login = visitor.request("receipt login", "POST", f"{prefix}/receipt/", body=body, content_type=_FORM,
                                expect=302)  # fmt: skip
        if login is None:
            return
        location = login.headers.get("Location", "")
        visitor.request("receipt case", "GET", location, marker=reference.encode())


def visit_staff(plan: Plan, run: Run, rng: random.Random) -> None:
    """A staff member already logged in opens one to three queue pages or cases."""
    role, visitor = plan.staff.get(timeout=120)
    visitor.run, visitor.rng = run, rng
    try:
        visitor.fresh_connections()
        for _ in range(rng.choice([1, 2, 3])):
            if role == "intake officer" and rng.random() < 0.35:
                case = rng.choice(plan.case_ids)
                path = f"/admin/submissions/submission/{case}/change/"
                answer = visitor.request("staff case", "GET", path, marker=b'id="submission_form"')
            else:
                name, path, marker = rng.choice(plan.staff_pages)
                kind = "staff index" if name == "index" else "staff list"
                answer = visitor.request(kind, "GET", path, marker=marker)
            if answer is None:
                return
    finally:
        plan.staff.put((role, visitor))


def visit_health(plan: Plan, run: Run, rng: random.Random) -> None:
    with Visitor(plan, run, rng) as visitor:
        visitor.request("healthz", "GET", "/healthz", marker=b'"status": "ok"')


VISIT_FUNCTIONS = {
    "public": visit_public,
    "report": visit_report,
    "receipt": visit_receipt,
    "staff": visit_staff,
    "health": visit_health,
}


# --- The run -------------------------------------------------------------------------


def drive(
    plan: Plan,
    *,
    rate: float,
    duration: float,
    warmup: float,
    clients: int,
    seed: int,
    on_tick=None,
    on_measure=None,
) -> Run:
    """Visits at Poisson moments for `warmup` + `duration` seconds, `clients` of them at most at once.

    Open loop: a visit is due at its moment whether or not the portal has
    answered the earlier ones. When every client is busy it starts late, and
    the lag is recorded: a lag that grows means the portal does not hold the rate.
    `on_tick(elapsed, run)` is called every TICK_SECONDS from the scheduling thread,
    `on_measure()` once when the warm-up ends and the measured window begins.
    """
    names, weights, sizes = zip(*VISITS, strict=True)
    per_visit = sum(w * s for w, s in zip(weights, sizes, strict=True)) / sum(weights)
    visits_per_second = rate / per_visit
    jobs: queue.Queue = queue.Queue()
    run = Run(time.perf_counter())
    seeds = itertools.count(seed)

    def worker() -> None:
        while (job := jobs.get()) is not None:
            due, name = job
            run.lags.append((due - run.began, time.perf_counter() - due))
            rng = random.Random(next(seeds))
            try:
                VISIT_FUNCTIONS[name](plan, run, rng)
            except Exception as error:
                run.visit_errors.append(f"{name}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker, daemon=True, name=f"visitor-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    rng = random.Random(seed)
    due = run.began
    stop = run.began + warmup + duration
    next_tick = run.began + TICK_SECONDS
    measuring = False
    while True:
        due += rng.expovariate(visits_per_second)
        if due >= stop:
            break
        while (now := time.perf_counter()) < due:
            if not measuring and now >= run.began + warmup:
                measuring = True
                if on_measure is not None:
                    on_measure()
            if on_tick is not None and now >= next_tick:
                on_tick(now - run.began, run)
                next_tick += TICK_SECONDS
            wake = due if measuring else min(due, run.began + warmup)
            time.sleep(min(max(wake - now, 0.001), 0.5))
        jobs.put((due, rng.choices(names, weights)[0]))
    time.sleep(max(0.0, stop - time.perf_counter()))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join(timeout=120)
    run.ended = time.perf_counter()
    run.warmup = warmup
    run.visits_per_second = visits_per_second
    run.requests_per_visit = per_visit
    return run


# --- Seeding -------------------------------------------------------------------------


def seed_due(n: int, *, start: datetime, spread: float) -> list[int]:
    """n communications sent through the services so that they fall due at moments of the coming run."""
    from bench import seeding
    from communications.models import PUBLICATION_DELAY
    from tests.support.factories import make_accepted_submission

    recipients = [("TJ", "TJK", "Tajikistan"), ("KZ", "KAZ", "Kazakhstan"), ("KG", "KGZ", "Kyrgyzstan"),
                  ("BY", "BLR", "Belarus"), ("CO", "COL", "Colombia")]  # fmt: skip
    ids = []
    # make_accepted_submission screens in this process: nothing to queue for the workers.
    with seeding.screened_here():
        for index in range(n):
            alpha2, alpha3, name = recipients[index % len(recipients)]
            falls_due = start + timedelta(seconds=spread * (index + 1) / n)
            communication = seeding.communication_sent(
                make_accepted_submission(country=alpha2, public_naming=index % 3 == 0),
                kind=["UA", "AL"][index % 2],
                recipient=(alpha3, name),
                language="en",
                summary=f"Alleged detention of a human rights defender in {name}.",
                sent_at=falls_due - PUBLICATION_DELAY,
            )
            ids.append(communication.pk)
    return ids


def clock_caught_up() -> int:
    """Mark the reminders of long-released communications as sent, as the 60-day clock would have left them.

    The bulk-seeded archive has none marked: the first tick of the clock would
    then mail a reply reminder for each of thousands of old letters, for minutes,
    and hold up everything queued behind it. A portal whose archive was imported
    needs the same step before its clock first runs.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE communications_communication SET "
            "release_reminder_sent_at = coalesce(release_reminder_sent_at, sent_at + interval '53 days'), "
            "reply_reminder_sent_at = coalesce(reply_reminder_sent_at, sent_at + interval '60 days') "
            "WHERE status IN ('released', 'withheld') AND sent_at < now() - interval '60 days' "
            "AND (release_reminder_sent_at IS NULL OR reply_reminder_sent_at IS NULL)"
        )
        return cursor.rowcount


def _plan_data(limit: int = 2000) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT slug FROM communications_publicrecord ORDER BY random() LIMIT %s", [limit])
        slugs = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT recipient FROM communications_publicrecord GROUP BY 1 ORDER BY count(*) DESC LIMIT 30")
        recipients = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT DISTINCT extract(year FROM sent_on)::int FROM communications_publicrecord")
        years = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT id FROM submissions_submission ORDER BY random() LIMIT %s", [limit])
        case_ids = [row[0] for row in cursor.fetchall()]
    return {"slugs": slugs, "recipients": recipients, "years": years, "case_ids": case_ids}


def _evidence() -> list[tuple[str, str, bytes]]:
    """A small PDF and a small PNG, as a phone or a scanner makes them (with metadata to strip)."""
    from PIL import Image
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": "Field monitor", "/Title": "Statement of the witness"})
    pdf = io.BytesIO()
    writer.write(pdf)
    noise = random.Random(7)
    image = Image.new("RGB", (120, 90))
    image.putdata([(noise.randrange(256), noise.randrange(256), noise.randrange(256)) for _ in range(120 * 90)])
    png = io.BytesIO()
    image.save(png, format="PNG")
    return [("statement.pdf", "application/pdf", pdf.getvalue()), ("photo.png", "image/png", png.getvalue())]


def _wait_released(due: list[int], running: stack.Stack, *, timeout: float) -> float:
    """Wait until beat's clock has released every communication that fell due; how long it took."""
    from django.db import connection

    from communications.models import Communication, CommunicationStatus

    began = time.perf_counter()
    try:
        while Communication.objects.filter(pk__in=due).exclude(status=CommunicationStatus.RELEASED).exists():
            running.check()
            if time.perf_counter() - began > timeout:
                break  # reported by the checks
            time.sleep(2.0)
    finally:
        connection.close()
    return time.perf_counter() - began


def _marks() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM submissions_submission")
        submission = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM submissions_submission")
        submissions = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM communications_publicrecord")
        records = cursor.fetchone()[0]
    return {"max_submission_id": submission, "submissions": submissions, "public_records": records}


# --- Checks after the run --------------------------------------------------------------


def _duplicates(cursor, table: str, column: str, where: str = "") -> int:
    cursor.execute(
        f"SELECT count(*) FROM (SELECT {column} FROM {table} {where} GROUP BY {column} HAVING count(*) > 1) d"  # noqa: S608 (names of this module)
    )
    return cursor.fetchone()[0]


def audit(receipts: list[tuple[str, str]], *, marks: dict, due: list[int]) -> dict:
    """Nothing lost, nothing done twice: what the database holds after the run."""
    from django.db import connection

    references = sorted({reference for reference, _ in receipts})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, reference, status, screened_at, created_at FROM submissions_submission "
            "WHERE reference = ANY(%s)",
            [references],
        )
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        found = {row[1] for row in rows}
        cursor.execute(
            "SELECT submission_id, count(*), min(created_at) FROM submissions_statuschange "
            "WHERE submission_id = ANY(%s) AND from_status = 'received' GROUP BY 1",
            [ids],
        )
        screenings = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM submissions_namefingerprint WHERE submission_id = ANY(%s) "
            "GROUP BY submission_id, kind, key HAVING count(*) > 1) d",
            [ids],
        )
        fingerprints_twice = cursor.fetchone()[0]
        cursor.execute(
            "SELECT submission_id, count(*) FROM submissions_attachment WHERE submission_id = ANY(%s) GROUP BY 1",
            [ids],
        )
        attachments = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM submissions_submission WHERE id > %s AND NOT (reference = ANY(%s))",
            [marks["max_submission_id"], references],
        )
        without_receipt = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM submissions_submission WHERE status = 'received' OR screened_at IS NULL")
        unscreened_total = cursor.fetchone()[0]
        duplicate_references = {
            "submissions": _duplicates(cursor, "submissions_submission", "reference"),
            "communications": _duplicates(
                cursor, "communications_communication", "reference", "WHERE reference IS NOT NULL"
            ),
            "public_records": _duplicates(cursor, "communications_publicrecord", "reference"),
        }
        released_twice = _duplicates(
            cursor, "communications_communicationstatuschange", "communication_id", "WHERE to_status = 'released'"
        )
        records_twice = _duplicates(cursor, "communications_publicrecord", "communication_id")
        cursor.execute(
            "SELECT c.id, c.status, extract(epoch FROM c.released_at - (c.sent_at + interval '60 days')), "
            "(SELECT count(*) FROM communications_publicrecord p WHERE p.communication_id = c.id) "
            "FROM communications_communication c WHERE c.id = ANY(%s)",
            [due],
        )
        due_rows = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM submissions_submission")
        submissions_after = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM communications_publicrecord")
        records_after = cursor.fetchone()[0]
    connection.close()

    created = {row[0]: row[4] for row in rows}
    screening_delay = sorted((screenings[i][1] - created[i]).total_seconds() for i in ids if i in screenings)
    release_delay = sorted(row[2] for row in due_rows if row[2] is not None)
    unscreened = [row[1] for row in rows if row[3] is None or row[2] == "received"]
    return {
        "receipts": len(receipts),
        "distinct_references": len(references),
        "in_database": len(found),
        "missing": sorted(set(references) - found)[:20],
        "missing_count": len(set(references) - found),
        "unscreened": len(unscreened),
        "screened_once": sum(1 for i in ids if screenings.get(i, (0,))[0] == 1),
        "screened_twice": sum(1 for i in ids if screenings.get(i, (0,))[0] > 1),
        "without_screening_change": sum(1 for i in ids if i not in screenings),
        "fingerprint_rows_twice": fingerprints_twice,
        "with_one_attachment": sum(1 for i in ids if attachments.get(i) == 1),
        "attachments_not_one": sum(1 for i in ids if attachments.get(i) != 1),
        "stored_without_receipt": without_receipt,
        "unscreened_in_table": unscreened_total,
        "duplicate_references": duplicate_references,
        "communications_released_twice": released_twice,
        "public_records_twice": records_twice,
        "due": len(due),
        "due_released": sum(1 for row in due_rows if row[1] == "released" and row[3] == 1),
        "screening_delay_s": _spread(screening_delay),
        "release_delay_after_due_s": _spread(release_delay),
        "submissions_after": submissions_after,
        "public_records_after": records_after,
    }


def _tasks_by_worker(offsets: dict[Path, int]) -> dict:
    """Tasks each worker received during the run, by name, from its log at INFO."""
    received = re.compile(r"Task ([\w.]+)\[[0-9a-f-]+\] received")
    counts = {}
    for log, offset in offsets.items():
        with log.open("rb") as lines:
            lines.seek(offset)
            text = lines.read().decode(errors="replace")
        names: dict[str, int] = {}
        for found in received.finditer(text):
            names[found.group(1)] = names.get(found.group(1), 0) + 1
        counts[log.stem] = names
    return counts


def _spread(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": load.percentile(values, 0.5),
        "p99": load.percentile(values, 0.99),
        "max": values[-1] if values else float("nan"),
    }


def _passed(checks: dict) -> dict:
    return {
        "every_receipt_in_database": checks["missing_count"] == 0
        and checks["in_database"] == checks["distinct_references"],
        "every_receipt_screened_once": checks["screened_once"] == checks["in_database"]
        and checks["unscreened"] == 0
        and checks["fingerprint_rows_twice"] == 0,
        "every_attachment_stored": checks["attachments_not_one"] == 0,
        "nothing_stored_without_receipt": checks["stored_without_receipt"] == 0,
        "no_duplicate_reference": not any(checks["duplicate_references"].values()),
        "no_communication_released_twice": checks["communications_released_twice"] == 0
        and checks["public_records_twice"] == 0,
        "every_due_communication_released": checks["due_released"] == checks["due"],
        "nothing_left_unscreened": checks["unscreened_in_table"] == 0,
    }


# --- Report --------------------------------------------------------------------------


def summarise(run: Run, used: dict) -> dict:
    """Figures of the measured window (after the warm-up); errors of the warm-up are counted apart."""
    seconds = run.ended - run.began - run.warmup
    measured = [sample for sample in run.samples if sample.at >= run.warmup]
    warmup_errors = [sample.error for sample in run.samples if sample.at < run.warmup and sample.error]
    by_kind: dict[str, list[Sample]] = {}
    for sample in measured:
        by_kind.setdefault(sample.kind, []).append(sample)
    kinds = {}
    for kind in [k for k in ORDER if k in by_kind] + sorted(set(by_kind) - set(ORDER)):
        samples = by_kind[kind]
        errors = [s.error for s in samples if s.error]
        kinds[kind] = {
            **load.summary([s.seconds for s in samples if s.error is None], errors),
            "requests": len(samples),
            "rps": len(samples) / seconds,
        }
    everything = load.latency([s.seconds for s in measured if s.error is None])
    total = len(measured)
    errors = sum(1 for s in measured if s.error)
    lags = sorted(lag for due, lag in run.lags if due >= run.warmup)
    timeline = []
    for minute in range(int(seconds // 60) + 1):
        begins = run.warmup + minute * 60
        window = [s for s in measured if begins <= s.at < begins + 60]
        if not window or seconds - minute * 60 < 30:
            continue  # the last seconds, while the visits in progress end, are no minute of their own
        spread = load.latency([s.seconds for s in window if s.error is None])
        span = min(60.0, seconds - minute * 60)
        timeline.append(
            {
                "minute": minute + 1,
                "rps": len(window) / span,
                "p50_ms": spread["p50_ms"],
                "p99_ms": spread["p99_ms"],
                "errors": sum(1 for s in window if s.error),
            }
        )
    server = used.get("server", 0.0)
    return {
        "seconds": seconds,
        "requests": total,
        "rps": total / seconds,
        "errors": errors,
        "warmup_seconds": run.warmup,
        "warmup_requests": len(run.samples) - total,
        "warmup_errors": len(warmup_errors),
        "warmup_error_samples": sorted(set(warmup_errors))[:5],
        "visit_errors": run.visit_errors[:20],
        "visit_error_count": len(run.visit_errors),
        "p50_ms": everything["p50_ms"],
        "p99_ms": everything["p99_ms"],
        "target_visits_per_second": run.visits_per_second,
        "requests_per_visit_planned": run.requests_per_visit,
        "visits": len(lags),
        "start_lag_s": _spread(lags),
        "russian_pages": run.ru,
        "submitted_again": run.submitted_again,
        "kinds": kinds,
        "timeline": timeline,
        "cpu_seconds": used,
        "server_cpu_ms_per_request": server * 1000 / max(total, 1),
        "cpu_ms_per_request": {
            part: used.get(part, 0.0) * 1000 / max(total, 1)
            for part in ("gunicorn", "celery", "postgres", "redis", "postgres-background")
        },
        "server_cores": server / seconds,
        "client_cores": used.get("client", 0.0) / seconds,
        "other_cores": cpu.other_cores(used) / seconds,
    }


def report(summary: dict) -> None:
    s, r, c = summary["settings"], summary["traffic"], summary["checks"]
    print()
    print(
        f"soak {r['seconds']:.0f} s; {s['webs']} gunicorn ({s['workers']} x {s['worker_class']}/{s['threads']}), "
        f"{s['celery_workers']} Celery worker(s) (concurrency {s['concurrency']}), beat; "
        f"{summary['data']['submissions_before']:,} submissions, "
        f"{summary['data']['public_records_before']:,} public records"
    )
    print(
        f"target {s['rate']:g} req/s ({r['target_visits_per_second']:.2f} visits/s); achieved {r['rps']:.2f} req/s, "
        f"{r['requests']} requests in {r['visits']} visits; visit start lag p50 {r['start_lag_s']['p50']:.3f} s, "
        f"p99 {r['start_lag_s']['p99']:.3f} s"
    )
    header = (
        f"{'kind':<14} {'requests':>8} {'rps':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for kind, k in r["kinds"].items():
        print(
            f"{kind:<14} {k['requests']:>8} {k['rps']:>6.2f} {k['p50_ms']:>8.1f} {k['p90_ms']:>8.1f} "
            f"{k['p99_ms']:>8.1f} {k['max_ms']:>8.1f} {k['errors']:>6}"
        )
    print("-" * len(header))
    print(
        f"{'all':<14} {r['requests']:>8} {r['rps']:>6.2f} {r['p50_ms']:>8.1f} {'':>8} "
        f"{r['p99_ms']:>8.1f} {'':>8} {r['errors']:>6}"
    )
    for k in r["kinds"].values():
        for sample in k["error_samples"]:
            print(f"    error: {sample}")
    print(f"warm-up before the figures: {r['warmup_seconds']:g} s, {r['warmup_requests']} requests, "
          f"{r['warmup_errors']} errors")  # fmt: skip
    for sample in r["warmup_error_samples"]:
        print(f"    error in the warm-up: {sample}")
    for error in r["visit_errors"]:
        print(f"    visit error: {error}")
    costs = r["cpu_ms_per_request"]
    print(
        f"server CPU per request: {r['server_cpu_ms_per_request']:.1f} ms (gunicorn {costs['gunicorn']:.1f}, "
        f"celery+beat {costs['celery']:.1f}, postgres {costs['postgres']:.1f}, redis {costs['redis']:.1f}; "
        f"pg background {costs['postgres-background']:.1f} not counted); server {r['server_cores']:.2f} cores, "
        f"load generator {r['client_cores']:.2f}, other programs {r['other_cores']:.2f}"
    )
    print("minute    rps   p50 ms   p99 ms errors")
    for m in r["timeline"]:
        print(f"{m['minute']:>6} {m['rps']:>6.2f} {m['p50_ms']:>8.1f} {m['p99_ms']:>8.1f} {m['errors']:>6}")
    print(f"backlog of unscreened submissions during the run: max {summary['backlog_max']}")
    print()
    print("checks in the database after the run:")
    print(f"  receipts given                  {c['receipts']} ({c['distinct_references']} references)")
    print(f"  in the database                 {c['in_database']}   missing {c['missing_count']}")
    print(
        f"  screened exactly once           {c['screened_once']}   twice {c['screened_twice']}, "
        f"not screened {c['unscreened']}, fingerprints written twice {c['fingerprint_rows_twice']}"
    )
    print(f"  one attachment stored           {c['with_one_attachment']}   otherwise {c['attachments_not_one']}")
    print(
        f"  stored without a receipt        {c['stored_without_receipt']}   "
        f"(the form posted twice {r['submitted_again']} times)"
    )
    print(f"  duplicate references            {c['duplicate_references']}")
    print(
        f"  due communications released     {c['due_released']}/{c['due']}   released twice (whole table) "
        f"{c['communications_released_twice']}, public records twice {c['public_records_twice']}"
    )
    d, e = c["screening_delay_s"], c["release_delay_after_due_s"]
    print(f"  screening delay (stored -> queued) p50 {d['p50']:.2f} s, p99 {d['p99']:.2f} s, max {d['max']:.2f} s")
    print(f"  release delay after falling due  p50 {e['p50']:.0f} s, max {e['max']:.0f} s (beat ticks every 60 s)")
    print(f"  unscreened anywhere in the table {c['unscreened_in_table']}")
    if s.get("extra_ticks"):
        print(
            f"  (the bench also published {summary['extra_published']} extra sweeps and ticks, "
            f"every {s['extra_ticks']:g} s)"
        )
    if s.get("duplicate_tasks"):
        print(f"  (and {s['duplicate_tasks']} more screening messages for each report, right after its receipt)")
        for worker, names in summary["tasks_by_worker"].items():
            print(f"  tasks received by {worker}: " + ", ".join(f"{name} {n}" for name, n in sorted(names.items())))
    print()
    for name, ok in summary["passed"].items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name.replace('_', ' ')}")


# --- Main ----------------------------------------------------------------------------


def _arguments(argv: list[str] | None):
    parser = stack.parser(__doc__, data=".data/soak")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of traffic (600)")
    parser.add_argument(
        "--warmup", type=float, default=30.0, help="seconds of the same traffic first, not in the figures (30)"
    )
    parser.add_argument("--rate", type=float, default=12.0, help="HTTP requests per second on average (12)")
    parser.add_argument("--clients", type=int, default=32, help="visits in progress at most at once (32)")
    parser.add_argument(
        "--scale", type=int, default=10_000, help="submissions and released communications seeded first (10000)"
    )
    parser.add_argument("--scale-out", action="store_true", help="two gunicorn instances, two Celery workers, one beat")
    parser.add_argument("--due", type=int, default=40, help="communications that fall due during the run (40)")
    parser.add_argument("--staff", type=int, default=2, help="staff logged in per role: intake and desk officers (2)")
    parser.add_argument("--concurrency", type=int, default=1, help="processes per Celery worker (1)")
    parser.add_argument(
        "--extra-ticks",
        type=float,
        default=None,
        help="every this many seconds, also publish a sweep of every unscreened submission and two ticks of the "
        "60-day clock, so that workers race for the same work (default 10 with --scale-out, else 0: off)",
    )
    parser.add_argument(
        "--duplicate-tasks",
        type=int,
        default=None,
        help="screening messages sent again for each report, right after its receipt (default 2 with "
        "--scale-out, else 0); the workers then log at INFO, and their logs are counted",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the traffic (1)")
    args = parser.parse_args(argv)
    if args.extra_ticks is None:
        args.extra_ticks = 10.0 if args.scale_out else 0.0
    if args.duplicate_tasks is None:
        args.duplicate_tasks = 2 if args.scale_out else 0
    return args


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    webs = 2 if args.scale_out else 1
    # The portal as deployed: its own settings, URLs and per-address limits.
    setup = stack.begin("soak.py", args, settings="portal.settings", webs=webs, celery_workers=webs)
    if setup is None:
        return 2
    from django.db import connection

    from bench import archive_text, seed_archive, seed_queue
    from bench.queue import login, pages
    from bench.seeding import PASSWORD
    from portal import roles
    from submissions.models import Desk
    from tests.support.staff import current_code

    staff = [("intake officer", seed_queue.staff(roles.INTAKE_OFFICER, number=n)) for n in range(1, args.staff + 1)]
    staff += [
        ("desk officer", seed_queue.staff(roles.DESK_OFFICER, number=n, desks=(DESK,)))
        for n in range(1, args.staff + 1)
    ]
    seeding: dict = {}
    if args.scale:
        print(f"seeding to {args.scale} submissions", flush=True)
        seeding["submissions"] = seed_queue.seed(args.scale, assignees=[user.pk for _, user in staff])
        print(f"seeding to {args.scale} released communications", flush=True)
        seeding["communications"] = seed_archive.seed(args.scale)
    seeding["reminders_marked_sent"] = clock_caught_up()
    # The run starts after the due communications are made and the servers are up: about a minute from now.
    start_estimate = datetime.now(UTC) + timedelta(seconds=60 + args.due * 0.5)
    print(f"{args.due} communications falling due during the run, through the services", flush=True)
    began = time.perf_counter()
    due = seed_due(args.due, start=start_estimate, spread=args.duration * 0.8)
    seeding["due_seconds"] = time.perf_counter() - began
    marks = _marks()
    picked = _plan_data()
    # bench/queue.py's pages, with a deep page that the desk officers' desk has.
    desk = Desk.objects.get(code=DESK)
    staff_pages = pages(desk.pk, deep=min(20, max(1, desk.submissions.count() // 50)))
    connection.close()
    print(f"  {marks['submissions']:,} submissions, {marks['public_records']:,} public records", flush=True)

    running = stack.Stack(
        setup.env,
        setup.logs,
        webs=webs,
        workers=webs,
        beat=True,
        **stack.gunicorn_options(args),
        concurrency=args.concurrency,
        # At INFO, Celery logs each task it receives: how the work was shared is counted from the logs.
        worker_loglevel="INFO" if args.duplicate_tasks else "WARNING",
        ready_path="/healthz",
    )
    worker_logs = [worker.log for worker in running.workers]
    log_offsets = {log: log.stat().st_size if log.exists() else 0 for log in worker_logs}
    summary: dict = {"settings": setup.settings, "seeding": seeding}
    backlog_max = 0
    extra_published = 0
    try:
        running.start()
        meter = running.meter()
        print(f"up: gunicorn on {', '.join(f'127.0.0.1:{p}' for p in running.ports)}, "
              f"{len(running.workers)} Celery worker(s), beat", flush=True)  # fmt: skip
        from submissions.tasks import sweep

        sweep.delay(older_than_seconds=0)  # what an interrupted earlier run left unscreened
        leftover = stack.drain(running.workers, meter)
        if leftover["backlog"]:
            print(f"screened {leftover['backlog']} submissions left by an earlier run", flush=True)

        plan = Plan(
            ports=running.ports,
            slugs=picked["slugs"],
            recipients=picked["recipients"],
            years=picked["years"],
            terms=archive_text.SEARCH_TERMS,
            case_ids=picked["case_ids"],
            staff_pages=staff_pages,
            evidence=_evidence(),
            staff=queue.Queue(),
            duplicate_tasks=args.duplicate_tasks,
        )
        for number, (role, user) in enumerate(staff):
            visitor = Visitor(plan, Run(time.perf_counter()), random.Random(number))
            # Log in at one instance; under --scale-out the session then serves at both.
            login(visitor.clients[number % len(visitor.clients)], user.get_username(), PASSWORD,
                  current_code(user, PASSWORD))  # fmt: skip
            plan.staff.put((role, visitor))
        connection.close()
        print(f"{len(staff)} staff logged in through /admin/login/ with a TOTP code", flush=True)

        from communications.tasks import tick

        last = {"extra": 0.0, "progress": 0.0}

        def on_tick(elapsed: float, run: Run) -> None:
            nonlocal backlog_max, extra_published
            running.check()
            backlog_max = max(backlog_max, stack.unscreened())
            if args.extra_ticks and elapsed - last["extra"] >= args.extra_ticks:
                # What a second beat, or an operator's manual run, would do: the same work offered twice.
                sweep.delay(older_than_seconds=0)
                tick.delay()
                tick.delay()
                extra_published += 3
                last["extra"] = elapsed
            if elapsed - last["progress"] >= 60:
                failed = sum(1 for sample in run.samples if sample.error)
                print(f"  {elapsed:.0f} s: {len(run.samples)} requests, {failed} errors, "
                      f"{len(plan.receipts)} receipts, unscreened now {stack.unscreened()}", flush=True)  # fmt: skip
                last["progress"] = elapsed

        print(f"traffic: {args.rate:g} requests/s for {args.warmup:g} s of warm-up + {args.duration:g} s", flush=True)
        window: dict = {}
        run = drive(
            plan,
            rate=args.rate,
            duration=args.duration,
            warmup=args.warmup,
            clients=args.clients,
            seed=args.seed,
            on_tick=on_tick,
            on_measure=lambda: window.update(before=meter()),
        )
        after = meter()
        used = {name: after[name] - window["before"].get(name, 0.0) for name in after}
        summary["traffic"] = summarise(run, used)
        print("traffic done; waiting for the workers to screen everything", flush=True)
        summary["drain"] = stack.drain(running.workers, meter, stall=60.0)
        print("waiting for beat to release what fell due", flush=True)
        summary["release_wait_s"] = _wait_released(due, running, timeout=180.0)
        summary["checks"] = audit(plan.receipts, marks=marks, due=due)
        running.check()
    finally:
        running.stop()
    summary["backlog_max"] = backlog_max
    summary["extra_published"] = extra_published
    summary["tasks_by_worker"] = _tasks_by_worker(log_offsets) if args.duplicate_tasks else {}
    summary["data"] = {"submissions_before": marks["submissions"], "public_records_before": marks["public_records"]}
    summary["passed"] = _passed(summary["checks"])
    traffic = summary["traffic"]
    summary["passed"]["zero_errors"] = not (
        traffic["errors"] or traffic["warmup_errors"] or traffic["visit_error_count"]
    )
    report(summary)
    stack.save(setup, summary)
    return 0 if all(summary["passed"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())

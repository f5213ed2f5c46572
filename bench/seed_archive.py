"""Seed the public archive with 100,000 released communications for bench/archive.py.

Called by bench/archive.py inside a process where Django is set up. Two steps:

1. A few dozen communications made through the real services, as staff make
   them: an accepted case (tests/support/factories.make_accepted_submission),
   communication_draft with the portal's letter templates and norms, a public
   summary, review, the rapporteur's approval, communication_send with a date
   in the last 15 years, some State replies (reply_record: substantive,
   acknowledgement, confidential; some after release), and the 60-day clock
   (release_due with a `now` more than 60 days after every sending), which
   writes the PublicRecord from the approved public version, its letter_text, reply status and
   search vectors (communications.release).
2. Clones in bulk with SQL, until the archive holds the target number of
   records. Each clone's letter is the portal's own template of its kind and
   language, with the norm paragraphs its violations call for, around facts
   written by bench/archive_text.py (English, or Russian for letters to
   Russian-speaking States) from a vocabulary of a few hundred words. The
   rows are copied into temporary tables (COPY) and inserted with
   INSERT ... SELECT: one minimal Communication per record (status released,
   the same encrypted placeholder letter for all, made once with
   portal.crypto.encrypt), then the PublicRecord, whose letter_text and
   search vectors (search, search_rank) are computed in SQL with the
   expressions of communications.release (_index and _vector). References follow the
   mandate's pattern (`AL KAZ 12/2019`, numbered per recipient and year after
   any number already used) and reference counters are moved past them.
   Clones have no PublicReply rows (their reply status, count and first reply
   date are set): the list, the API list and the statistics do not read
   replies.

Seeding is skipped when the archive already holds the target; VACUUM ANALYZE
follows either way. Nothing here changes the portal's schema.
"""

import csv
import io
import random
import re
import time
from datetime import UTC, datetime, timedelta
from html import escape

from django.db import connection, transaction

from bench import archive_text, seeding

BASE_COMMUNICATIONS = 36
TARGET = 100_000
BATCH = 10_000
SIGNATURE = "Special Rapporteur on the situation of human rights defenders"
PLACEHOLDER_LETTER = (
    "Bench placeholder: this communication was cloned in bulk by bench/seed_archive.py; "
    "its public letter is in its public record."
)
_REFERENCE = re.compile(r"^(UA|AL|OL) ([A-Z]{3}) (\d+)/(\d{4})$")

# Through the services: (alpha-2 of the case, alpha-3 and name of the recipient, language).
BASE_RECIPIENTS = [
    ("TJ", "TJK", "Tajikistan", "ru"), ("KZ", "KAZ", "Kazakhstan", "ru"), ("KG", "KGZ", "Kyrgyzstan", "en"),
    ("UZ", "UZB", "Uzbekistan", "ru"), ("RU", "RUS", "Russian Federation", "ru"), ("BY", "BLR", "Belarus", "en"),
    ("CN", "CHN", "China", "en"), ("IN", "IND", "India", "en"), ("EG", "EGY", "Egypt", "en"),
    ("CO", "COL", "Colombia", "en"), ("MX", "MEX", "Mexico", "en"), ("PH", "PHL", "Philippines", "en"),
]  # fmt: skip
BASE_NARRATIVES = [
    "Taken from her flat at dawn by masked officers of the regional police; her laptop and phone were seized.",
    "After publishing an investigation into a mining company he received death threats by phone.",
    "The organisation was raided and its registration revoked after it briefed the Human Rights Council.",
    "She was sentenced to seven years in a penal colony after a closed trial; her lawyer was not admitted.",
    "Её задержали на рассвете сотрудники милиции в масках; изъяли ноутбук и телефон.",
    "После публикации расследования о горнодобывающей компании ему угрожали убийством.",
]
BASE_VIOLATIONS = [
    ["arbitrary_detention", "torture"], ["death_threats"], ["raids", "registration_funding"],
    ["judicial_harassment", "arbitrary_detention"], ["online_attacks", "surveillance"], ["physical_attack"],
]  # fmt: skip


def count() -> int:
    return seeding.count("communications_publicrecord")


def _base_made() -> int:
    """Communications of the bench made through the services (the clones have no status history)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM communications_communication c WHERE EXISTS "
            "(SELECT 1 FROM communications_communicationstatuschange h WHERE h.communication_id = c.id)"
        )
        return cursor.fetchone()[0]


def make_base(n: int, *, seed: int, log=print) -> list[int]:
    """n communications drafted, approved, sent, answered and released through the services."""
    from django.utils import timezone

    from communications import services as communications
    from tests.support.factories import make_accepted_submission

    rng = random.Random(seed)
    now = timezone.now()
    made = []
    # make_accepted_submission screens in this process: nothing to queue for a worker that is not running.
    with seeding.screened_here():
        for index in range(n):
            alpha2, alpha3, name, language = BASE_RECIPIENTS[index % len(BASE_RECIPIENTS)]
            case = make_accepted_submission(
                country=alpha2,
                violation_types=BASE_VIOLATIONS[index % len(BASE_VIOLATIONS)],
                description=rng.choice(BASE_NARRATIVES),
                public_naming=rng.random() < 0.4,
            )
            sent_at = now - timedelta(days=rng.randrange(75, 15 * 365), hours=rng.randrange(24))
            communication = seeding.communication_sent(
                case,
                kind=rng.choice(["UA", "UA", "AL", "AL", "OL"]),
                recipient=(alpha3, name),
                language=language,
                summary=f"Alleged violations against a human rights defender in {name}.",
                sent_at=sent_at,
            )
            answer = rng.random()
            if answer < 0.5:
                communications.reply_record(
                    communication=communication,
                    received_on=(sent_at + timedelta(days=rng.randrange(10, 59))).date(),
                    kind=rng.choice(["substantive", "substantive", "acknowledgement"]),
                    confidential=rng.random() < 0.15,
                    summary="The Government states that the measures were lawful and proportionate.",
                )
                communications.communication_public_approve(
                    communication=communication, by=communication.public_approved_by
                )
            made.append((communication, sent_at, answer))
        # The 60-day clock, with a `now` more than 60 days after every sending.
        released = communications.release_due(now=now)
        # Late replies join the public record once approved.
        for communication, sent_at, answer in made:
            if 0.5 <= answer < 0.65:
                communications.reply_record(
                    communication=communication,
                    received_on=(sent_at + timedelta(days=rng.randrange(61, 200))).date(),
                    kind="substantive",
                    confidential=False,
                    summary="A late reply: the Government contests the allegations.",
                )
                # A late reply joins the public record once its public copy is approved.
                communications.communication_public_approve(
                    communication=communication, by=communication.public_approved_by
                )
    log(f"  {len(made)} communications through the services, {released} released by release_due")
    return [communication.pk for communication, _, _ in made]


# --- Clones ---------------------------------------------------------------------------


def _used_numbers() -> dict[tuple[str, int], int]:
    """The highest number used per (recipient, year), from references and counters."""
    used: dict[tuple[str, int], int] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT reference FROM communications_communication WHERE reference IS NOT NULL")
        for (reference,) in cursor.fetchall():
            found = _REFERENCE.match(reference)
            if found:
                key = (found.group(2), int(found.group(4)))
                used[key] = max(used.get(key, 0), int(found.group(3)))
        cursor.execute("SELECT recipient, year, last FROM communications_referencecounter")
        for recipient, year, last in cursor.fetchall():
            used[(recipient, year)] = max(used.get((recipient, year), 0), last)
    return used


class _Boilerplate:
    """The template and norm paragraphs around the facts, one variant per kind, language and set of norms."""

    def __init__(self):
        from communications.models import LetterTemplate, NormParagraph

        self.templates = {(t.kind, t.language): t for t in LetterTemplate.objects.filter(language__in=["en", "ru"])}
        self.norms = {
            language: list(NormParagraph.objects.filter(language=language).order_by("order", "code"))
            for language in ("en", "ru")
        }
        self.variants: dict[str, tuple[str, str, str, str]] = {}
        self.new: list[str] = []

    def variant(self, kind: str, language: str, topics: list[str]) -> str:
        from communications.drafting import _paragraphs

        chosen = [n for n in self.norms[language] if "always" in n.topics or set(n.topics) & set(topics)]
        key = f"{kind}:{language}:{','.join(n.code for n in chosen)}"
        if key not in self.variants:
            template = self.templates[(kind, language)]
            # As communications.drafting.draft_letter; {mandates} and {recipient} are filled in SQL.
            head = _paragraphs(template.opening) + _paragraphs(template.facts_intro)
            questions = "".join(f"<li>{escape(q.strip())}</li>" for q in template.questions.splitlines() if q.strip())
            tail = "".join(
                [
                    _paragraphs(template.concerns),
                    _paragraphs(template.norms_intro),
                    "".join(f"<p><strong>{escape(n.title)}.</strong> {escape(n.text)}</p>" for n in chosen),
                    f"<ol>{questions}</ol>",
                    _paragraphs(template.closing),
                ]
            )
            self.variants[key] = (head, archive_text.letter_text(head), tail, archive_text.letter_text(tail))
            self.new.append(key)
        return key


def _copy(cursor, table: str, columns: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if value is None else value for value in row])
    buffer.seek(0)
    cursor.cursor.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
        buffer,
    )


STAGE_COLUMNS = [
    "n", "reference", "slug", "kind", "recipient", "recipient_name", "recipient_html", "language", "sent_on",
    "released_on", "mandates", "signing", "summary", "facts_html", "facts_text", "themes", "violations", "variant",
    "reply_status", "reply_count", "first_reply_on", "earlier",
]  # fmt: skip

# The vector of communications.release._vector, in SQL: the title weighted A, the body in English and
# in Russian weighted B (SearchVector(Value(...), config=..., weight=...) combined with ||). The body is the
# summary and the letter for `search`, the summary alone for `search_rank`.
SEARCH_SQL = (
    "setweight(to_tsvector('english'::regconfig, COALESCE({title}, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE({body}, '')), 'B')"
    " || setweight(to_tsvector('russian'::regconfig, COALESCE({body}, '')), 'B')"
)


def clone(n: int, *, writer: archive_text.Writer, used: dict, boiler: _Boilerplate, author_id: int, tokens) -> int:
    """Insert n cloned released communications and their public records; returns how many."""
    from communications.release import slug_for
    from portal.crypto import encrypt

    rows, earlier_by_recipient = [], {}
    for number in range(n):
        record = writer.record()
        key = (record["recipient"], record["sent_on"].year)
        used[key] = used.get(key, 0) + 1
        reference = f"{record['kind']} {record['recipient']} {used[key]}/{record['sent_on'].year}"
        earlier = []
        previous = earlier_by_recipient.setdefault(record["recipient"], [])
        if previous and writer.rng.random() < 0.04:
            older = [ref for ref, day in previous[-20:] if day < record["sent_on"]]
            earlier = older[-1:]
        previous.append((reference, record["sent_on"]))
        variant = boiler.variant(record["kind"], record["language"], record["topics"])
        rows.append(
            [
                number, reference, slug_for(reference), record["kind"], record["recipient"], record["recipient_name"],
                escape(record["recipient_name"]), record["language"], record["sent_on"], record["released_on"],
                archive_text.pg_array(record["mandates"]), ", ".join([SIGNATURE, *record["mandates"]]),
                record["summary"], record["facts_html"], record["facts_text"], archive_text.pg_array(record["themes"]),
                archive_text.pg_array(record["violations"]), variant, record["reply_status"], record["reply_count"],
                record["first_reply_on"], archive_text.pg_array(earlier),
            ]
        )  # fmt: skip
    body_token, summary_token = tokens
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_archive_boiler ("
            " variant text PRIMARY KEY, head_html text, head_text text, tail_html text, tail_text text)"
        )
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_archive_stage ("
            " n int, reference text, slug text, kind text, recipient text, recipient_name text, recipient_html text,"
            " language text, sent_on date, released_on date, mandates text[], signing text, summary text,"
            " facts_html text, facts_text text, themes text[], violations text[], variant text, reply_status text,"
            " reply_count int, first_reply_on date, earlier text[])"
        )
        cursor.execute("TRUNCATE bench_archive_stage")
        if boiler.new:
            _copy(
                cursor,
                "bench_archive_boiler",
                ["variant", "head_html", "head_text", "tail_html", "tail_text"],
                [[key, *boiler.variants[key]] for key in boiler.new],
            )
            boiler.new = []
        _copy(cursor, "bench_archive_stage", STAGE_COLUMNS, rows)
        cursor.execute(
            """
            INSERT INTO communications_communication (
                kind, recipient, recipient_name, copies_to, language, follow_up_to_id, status, body, public_summary,
                reference, sent_at, released_at, withheld_reason, early_release_reason, release_reminder_sent_at,
                reply_reminder_sent_at, created_by_id, created_at, updated_at, public_body, public_keeps_traits,
                public_approved_digest, public_approved_names)
            SELECT kind, recipient, recipient_name, '{}', language, NULL, 'released', %(body)s, %(summary)s,
                   reference, (sent_on + time '10:00') AT TIME ZONE 'UTC',
                   (released_on + time '03:00') AT TIME ZONE 'UTC',
                   '', '', NULL, NULL, %(author)s, (sent_on - 12 + time '09:00') AT TIME ZONE 'UTC',
                   (released_on + time '03:00') AT TIME ZONE 'UTC', %(empty)s, false, '', %(empty)s
            FROM bench_archive_stage ORDER BY n
            """,
            # A clone's public version is the letter itself (an empty public body), as the services store it.
            {"body": body_token, "summary": summary_token, "author": author_id, "empty": encrypt(b"").decode()},
        )
        title = "s.reference || ' ' || s.recipient_name"
        search = SEARCH_SQL.format(title=title, body="s.summary || ' ' || x.text")
        search_rank = SEARCH_SQL.format(title=title, body="s.summary")
        cursor.execute(
            f"""
            INSERT INTO communications_publicrecord (
                communication_id, reference, slug, kind, recipient, recipient_name, language, sent_on, released_on,
                mandates, summary, letter_html, themes, violation_types, earlier, letter_text, search, search_rank,
                reply_status, reply_count, first_reply_on, updated_at)
            SELECT c.id, s.reference, s.slug, s.kind, s.recipient, s.recipient_name, s.language, s.sent_on,
                   s.released_on, s.mandates, s.summary, x.html, s.themes, s.violations, s.earlier, x.text, {search},
                   {search_rank}, s.reply_status, s.reply_count, s.first_reply_on,
                   (s.released_on + time '03:00') AT TIME ZONE 'UTC'
            FROM bench_archive_stage s
            JOIN bench_archive_boiler b ON b.variant = s.variant
            JOIN communications_communication c ON c.reference = s.reference
            CROSS JOIN LATERAL (
                SELECT replace(replace(b.head_html, '{{mandates}}', s.signing), '{{recipient}}', s.recipient_html)
                           || s.facts_html || b.tail_html AS html,
                       replace(replace(b.head_text, '{{mandates}}', s.signing), '{{recipient}}', s.recipient_name)
                           || s.facts_text || b.tail_text AS text
            ) x
            ORDER BY s.n
            """  # noqa: S608 (expressions of this module)
        )
        inserted = cursor.rowcount
        # Staff sending a real letter later must get a number no clone took.
        cursor.execute(
            """
            INSERT INTO communications_referencecounter (recipient, year, last)
            SELECT recipient, year, last FROM unnest(%s::text[], %s::int[], %s::int[]) AS u(recipient, year, last)
            ON CONFLICT (recipient, year)
            DO UPDATE SET last = greatest(communications_referencecounter.last, excluded.last)
            """,
            [[k[0] for k in used], [k[1] for k in used], list(used.values())],
        )
    return inserted


def checks() -> dict:
    """The clones' derived columns agree with what communications.release computes."""
    from communications.models import PublicRecord

    with connection.cursor() as cursor:
        title = "p.reference || ' ' || p.recipient_name"
        search = SEARCH_SQL.format(title=title, body="p.summary || ' ' || p.letter_text")
        search_rank = SEARCH_SQL.format(title=title, body="p.summary")
        # Records written by communications.release: do the SQL expressions give their stored vectors?
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE p.search = {search} AND p.search_rank = {search_rank}) "  # noqa: S608 (expressions of this module)
            "FROM communications_publicrecord p WHERE EXISTS (SELECT 1 FROM communications_communicationstatuschange h "
            "WHERE h.communication_id = p.communication_id)"
        )
        services_records, same_vector = cursor.fetchone()
    sample = list(PublicRecord.objects.order_by("?").only("letter_html", "letter_text")[:200])
    same_text = sum(archive_text.letter_text(r.letter_html) == r.letter_text for r in sample)
    return {
        "records_by_services": services_records,
        "their_vectors_equal_the_bench_sql": same_vector,
        "sampled_letter_text_equal_to_release": f"{same_text}/{len(sample)}",
    }


def seed(target: int = TARGET, *, base: int = BASE_COMMUNICATIONS, log=print) -> dict:
    """Bring the archive to `target` released records; what was done and how long it took."""
    from portal import roles
    from portal.crypto import encrypt

    began = time.perf_counter()
    before = count()
    done = {"before": before, "target": target, "made_through_services": 0, "cloned": 0, "seconds": 0.0}
    if before >= target:
        log(f"  {before} public records already: seeding skipped; VACUUM ANALYZE ...")
        # A migration may have rewritten every record (a backfilled column): without a vacuum the statistics'
        # index-only scans would visit the table until autovacuum comes by.
        done["vacuum_analyze_seconds"] = seeding.vacuum_analyze()
        done["after"] = before
        return done
    base_made = _base_made()
    if base_made < base:
        need = min(base - base_made, target - before)
        log(f"  {need} communications through the services (draft, approve, send, reply, release_due) ...")
        started = time.perf_counter()
        make_base(need, seed=before + 1, log=log)
        done["made_through_services"] = need
        log(f"  ... {time.perf_counter() - started:.1f} s")
    # One encrypted placeholder for every clone: the confidential letter is not what the bench measures.
    tokens = (encrypt(PLACEHOLDER_LETTER.encode()).decode(), encrypt(b"").decode())
    used = _used_numbers()
    boiler = _Boilerplate()
    writer = archive_text.Writer(seed=count(), today=datetime.now(UTC).date())
    left = target - count()
    while left > 0:
        started = time.perf_counter()
        inserted = clone(
            min(BATCH, left),
            writer=writer,
            used=used,
            boiler=boiler,
            author_id=seeding.staff("bench-desk", roles.DESK_OFFICER).pk,
            tokens=tokens,
        )
        done["cloned"] += inserted
        left = target - count()
        log(
            f"  cloned {inserted} released communications in bulk ({time.perf_counter() - started:.1f} s), {left} to go"
        )
    log("  VACUUM ANALYZE ...")
    done["vacuum_analyze_seconds"] = seeding.vacuum_analyze()
    done["checks"] = checks()
    done["after"] = count()
    done["seconds"] = time.perf_counter() - began
    return done

"""Seed the review queue with 100,000 submissions for bench/queue.py.

Called by bench/queue.py inside a process where Django is set up. Two steps:

1. A few hundred varied cases made through the real services
   (submissions.services.submission_create, then submission_screen in this
   process): encrypted fields, defenders, consent, name fingerprints, status
   history, desk, flags and urgency all as the portal makes them.
2. Clones of those rows in bulk with SQL (INSERT ... SELECT), until the table
   holds the target number of submissions: a fresh random reference each, a
   creation date spread over the last year, a status that depends on the age
   (recent cases mostly open, older ones mostly decided), screened_at set,
   some assigned, some incomplete. Desk, urgency, priority and flags are those
   screening gave the case that was cloned, so they agree with its answers
   (country, defenders, situation). Each clone gets the defenders and consent
   of its model and a status history (received, queued, then the decision).
   Name fingerprints are not cloned: hundreds of copies of one defender would
   make every case a duplicate of hundreds of others.

Seeding is skipped when the table already holds the target; VACUUM ANALYZE
follows any seeding. Nothing here changes the portal's schema.
"""

import random
import time
from datetime import date, timedelta

from django.db import connection, transaction

from bench import seeding

BASE_CASES = 300
TARGET = 100_000

# Countries weighted towards the desks that receive most (Central Asia first);
# HK maps to no desk, so a few cases land in "No desk".
COUNTRIES = [
    ("KZ", 8), ("KG", 6), ("TJ", 8), ("TM", 2), ("UZ", 6),
    ("RU", 7), ("BY", 5), ("AZ", 3), ("GE", 2),
    ("CN", 3), ("IN", 4), ("PH", 4), ("MM", 3), ("IR", 3),
    ("EG", 3), ("SA", 2), ("TR", 4),
    ("KE", 2), ("ZW", 2), ("UG", 2), ("CD", 2),
    ("CO", 4), ("MX", 4), ("BR", 3), ("HN", 2), ("GT", 2),
    ("HU", 1), ("RS", 1), ("GB", 1),
    ("HK", 2),
]  # fmt: skip
NAMES = [
    "Ulfathonim Mamadshoeva", "Ульфатхоним Мамадшоева", "Azimjon Askarov", "Азимжон Аскаров",
    "Bakhtiyor Advokatov", "Бахтиёр Адвокатов", "Gulnara Karimova", "Гульнара Сатпаева", "Aizhan Bekova",
    "Nurlan Omarov", "Нурлан Омаров", "Dilfuza Rakhimova", "Дильфуза Рахимова", "Yelena Petrova",
    "Елена Петрова", "Ales Bialiatski", "Алесь Беляцкий", "Leyla Yunus", "Nargiz Aliyeva", "Maria Gonzalez",
    "Juan Carlos Ramirez", "Ana Lucia Torres", "Berta Caceres", "Nasrin Sotoudeh", "Narges Mohammadi",
    "Alaa Abd El-Fattah", "Mahienour El-Massry", "Loujain al-Hathloul", "Joshua Wong", "Agnes Chow",
    "Ilham Tohti", "Gao Zhisheng", "Teesta Setalvad", "Sudha Bharadwaj", "Maria Ressa", "Leila de Lima",
    "Thet Swe Win", "Ma Thida", "Osman Kavala", "Eren Keskin", "Pierre Claver Mbonimpa", "Stella Nyanzi",
    "Hopewell Chin'ono", "Jestina Mukoko", "Zhanna Nemtsova", "Oyub Titiev", "Svetlana Gannushkina",
    "Community Radio Collective", "Коллектив правозащитников",
]  # fmt: skip
NARRATIVES_EN = [
    "Taken from her flat at dawn by masked officers of the regional police; her laptop was seized.",
    "After publishing an investigation into a mining company he received death threats by phone.",
    "The organisation was raided and its registration revoked after it briefed the UN Human Rights Council.",
    "She was sentenced to seven years in a colony after a closed trial; her lawyer was not admitted.",
    "A smear campaign on social media followed her reports on corruption in the land registry.",
    "Indigenous leaders opposing the forest concession were beaten by private guards of the company.",
    "He has been missing since he was stopped at a checkpoint near a remote mountain village.",
    "The LGBT rights group's office was attacked and the police refused to register the complaint.",
    "A school student who organised a protest about the river pollution was detained for two days.",
    "The lawyer defending asylum seekers was put under surveillance and his account was hacked.",
]
NARRATIVES_RU = [
    "Её задержали на рассвете сотрудники милиции в масках; изъяли ноутбук и телефон.",
    "После публикации расследования о компании, владеющей рудником, ему угрожали убийством.",
    "Организацию обыскали и лишили регистрации после выступления в Совете ООН по правам человека.",
    "Её приговорили к семи годам колонии на закрытом процессе; адвоката не допустили.",
    "В соцсетях началась травля после её публикаций о коррупции в земельном комитете.",
    "Он пропал после того, как его остановили на посту у горного кишлака.",
]
WORK = [
    ("journalism", 18), ("civil_political", 14), ("legal", 10), ("women", 10), ("environment", 8),
    ("anti_corruption", 6), ("minorities", 6), ("business", 5), ("migrants", 5), ("lgbti", 4),
    ("children", 3), ("disability", 2), ("other", 3),
]  # fmt: skip
VIOLATIONS = [
    ("arbitrary_detention", 18), ("judicial_harassment", 16), ("death_threats", 10), ("surveillance", 8),
    ("online_attacks", 10), ("physical_attack", 8), ("raids", 6), ("travel_ban", 5), ("torture", 4),
    ("family_harassment", 4), ("registration_funding", 5), ("disappearance", 2), ("killing", 1),
    ("attempted_killing", 1), ("sexual_violence", 1), ("un_reprisals", 2),
]  # fmt: skip
SITUATIONS = ["detained", "death_threats", "disappeared", "health_in_detention", "trial_imminent",
              "deportation_imminent"]  # fmt: skip


def _pick(rng: random.Random, weighted: list[tuple[str, int]], k: int = 1) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < k:
        (value,) = rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])
        if value not in chosen:
            chosen.append(value)
    return chosen


def case(rng: random.Random) -> dict:
    """Keyword arguments of submission_create for one varied, fictional case."""
    country = _pick(rng, COUNTRIES)[0]
    russian = country in {"KZ", "KG", "TJ", "TM", "UZ", "RU", "BY"} and rng.random() < 0.6
    narrative = rng.choice(NARRATIVES_RU if russian else NARRATIVES_EN)
    situation = rng.sample(SITUATIONS, rng.choice([1, 1, 2])) if rng.random() < 0.13 else []
    contact = rng.choices(["signal", "email", "telegram", "whatsapp", "phone", "receipt_only"], [5, 3, 3, 2, 1, 2])[0]
    answers = {
        "source_name": rng.choice(["A. Source", "Малика Источникова", "Field monitor", "J. Doe"]),
        "source_relationship": rng.choice(["victim", "family", "organisation", "witness", "other"]),
        "source_relationship_detail": rng.choice(["", "Sister", "Colleague", "Lawyer"]),
        "contact_method": contact,
        "contact_details": "" if contact == "receipt_only" else f"contact-{rng.randrange(10**6):06d}",
        "contact_safety": rng.choice(["safe", "careful", "careful", "unsafe"]),
        "notify_email": "",
        "violation_types": _pick(rng, VIOLATIONS, rng.choice([1, 1, 2, 2, 3])),
        "violation_other": "",
        "current_situation": situation,
        "incident_date": date.today() - timedelta(days=rng.randrange(1, 400)) if rng.random() < 0.9 else None,
        "incident_dates_detail": "" if rng.random() < 0.95 else "Several times since spring",
        "country": country,
        "place": rng.choice(["Capital", "Regional centre", "Border town", "Mountain district", "Столица"]),
        "perpetrator_kind": rng.choice(["state", "state", "non_state", "both", "unknown"]),
        "perpetrators": rng.choice(["Police", "Security service", "A private company", "Unknown men", "Прокуратура"]),
        "description": narrative + " " + rng.choice(NARRATIVES_EN + NARRATIVES_RU),
        "current_risk": rng.choice(
            ["Threats continue", "Held incommunicado", "Trial next week", "Угрозы продолжаются"]
        ),
        "steps_taken": rng.choice(["", "Complaint to the prosecutor", "Appeal to the court", "Жалоба в прокуратуру"]),
        "good_faith": True,
        "direct_knowledge": rng.random() < 0.9,
        "media_only": rng.random() < 0.03,
    }
    defenders = []
    for _ in range(rng.choices([1, 2, 3], [70, 20, 10])[0]):
        work = _pick(rng, WORK, rng.choice([1, 1, 2]))
        defenders.append(
            {
                "kind": rng.choices(["person", "group", "organisation"], [85, 8, 7])[0],
                "name": rng.choice(NAMES),
                "gender": rng.choices(["woman", "man", "non_binary", "undisclosed"], [45, 45, 3, 7])[0],
                "age_group": rng.choices(["adult", "child", "older", "unknown"], [85, 3, 7, 5])[0],
                "has_disability": rng.choices(["no", "yes", "unknown"], [80, 4, 16])[0],
                "country": country,
                "region": rng.choice(["", "North", "GBAO", "South"]),
                "remote_area": rng.random() < 0.1,
                "work_areas": work,
                "work_description": rng.choice(["Journalist", "Human rights lawyer", "Environmental activist",
                                                "Правозащитница", "Trade unionist", "Community leader"]),
                "cooperated_with_un": rng.choices(["no", "yes", "unknown"], [70, 10, 20])[0],
            }
        )  # fmt: skip
    consent = {
        "contact_government": rng.random() < 0.85,
        "public_naming": rng.random() < 0.4,
        "written_consent": rng.choices(["written", "source_is_victim", "not_yet"], [78, 14, 8])[0],
    }
    return {
        "answers": answers,
        "defenders": defenders,
        "consent": consent,
        "language": "ru" if russian else "en",
    }


def count() -> int:
    return seeding.count("submissions_submission")


def make_cases(n: int, *, seed: int) -> list[int]:
    """n cases through submission_create, screened here by submission_screen (no broker)."""
    from submissions import services

    rng = random.Random(seed)
    ids = []
    with seeding.screened_here():
        for _ in range(n):
            submission, _receipt = services.submission_create(**case(rng))
            services.submission_screen(submission_id=submission.pk)
            ids.append(submission.pk)
    return ids


def staff(role: str, *, number: int, desks: tuple[str, ...] = ()):
    """Staff of the queue: bench-queue-intake-1, bench-queue-desk-1, ..., each with a TOTP device."""
    return seeding.staff(f"bench-queue-{role.split()[0].lower()}-{number}", role, desks=desks)


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, overrides: dict[str, str], source: str) -> tuple[str, str]:
    """Column list and SELECT list copying every column of `table` from alias `source`, but the overridden ones."""
    columns = [name for name in _columns(table) if name != "id"]
    values = [overrides.get(name, f"{source}.{name}") for name in columns]
    return ", ".join(columns), ", ".join(values)


def clone(n: int, *, base_ids: list[int], assignees: list[int]) -> int:
    """Insert about n clones of the base cases in bulk; returns how many were inserted."""
    submission_columns, submission_values = _copy(
        "submissions_submission",
        {
            "reference": "p.reference",
            "status": "p.status",
            "created_at": "p.created_at",
            "screened_at": "p.screened_at",
            "updated_at": "p.updated_at",
            "assignee_id": "p.assignee_id",
            "missing_elements": (
                "CASE WHEN p.incomplete THEN ARRAY['source_contact']::varchar[] ELSE b.missing_elements END"
            ),
            "duplicate_of_id": "NULL",
            "case_key_id": "p.case_key_id",
            "inadmissible_reason": "CASE WHEN p.status = 'not_admissible' THEN 'outside_mandate' ELSE '' END",
        },
        "b",
    )
    submission_columns = "id, " + submission_columns
    submission_values = "p.id, " + submission_values
    defender_columns, defender_values = _copy("submissions_defender", {"submission_id": "p.id"}, "d")
    consent_columns, consent_values = _copy(
        "submissions_consent", {"submission_id": "p.id", "recorded_at": "p.created_at"}, "c"
    )
    change_columns = [name for name in _columns("submissions_statuschange") if name != "id"]

    def change(to_status: str, from_status: str, actor: str, at: str, where: str) -> str:
        """One status change per clone; statuses and time are SQL expressions, actor a plain word."""
        overrides = {
            "submission_id": "p.id",
            "from_status": from_status,
            "to_status": to_status,
            "actor": f"'{actor}'",
            "changed_by_id": "p.assignee_id" if actor == "staff" else "NULL",
            "created_at": at,
        }
        values = ", ".join(overrides.get(name, f"r.{name}") for name in change_columns)
        return (
            f"INSERT INTO submissions_statuschange ({', '.join(change_columns)}) "  # noqa: S608 (column names of the models)
            f"SELECT {values} FROM clone_plan p JOIN submissions_submission s ON s.id = p.id "
            "JOIN LATERAL (SELECT * FROM submissions_statuschange x WHERE x.submission_id = p.base_id "
            "ORDER BY x.id LIMIT 1) r ON true "
            f"WHERE {where}"
        )

    # Every statement below is built from this module's constants and the
    # portal's own column names; the only input is integers, passed as parameters.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS clone_plan")
        cursor.execute(
            """
            CREATE TEMP TABLE clone_plan ON COMMIT DROP AS
            WITH draw AS (
                SELECT nextval(pg_get_serial_sequence('submissions_submission', 'id')) AS id,
                       (%(base)s::bigint[])[1 + floor(random() * cardinality(%(base)s::bigint[]))::int] AS base_id,
                       now() - (random() ^ 1.3) * interval '365 days' AS created_at,
                       random() AS r_status, random() AS r_assign, random() AS r_incomplete,
                       md5(random()::text || clock_timestamp()::text) AS hash
                FROM generate_series(1, %(n)s)
            ), planned AS (
                SELECT id, base_id, created_at, r_assign, r_incomplete,
                       'HRD-' || upper(substr(hash, 1, 5)) || '-' || upper(substr(hash, 6, 5)) AS reference,
                       CASE WHEN created_at > now() - interval '30 days' THEN
                           CASE WHEN r_status < 0.55 THEN 'queued' WHEN r_status < 0.75 THEN 'in_review'
                                WHEN r_status < 0.85 THEN 'info_requested' WHEN r_status < 0.90 THEN 'accepted'
                                WHEN r_status < 0.97 THEN 'not_admissible' ELSE 'duplicate' END
                       ELSE
                           CASE WHEN r_status < 0.12 THEN 'queued' WHEN r_status < 0.20 THEN 'in_review'
                                WHEN r_status < 0.25 THEN 'info_requested' WHEN r_status < 0.35 THEN 'accepted'
                                WHEN r_status < 0.45 THEN 'communication_sent'
                                WHEN r_status < 0.75 THEN 'not_admissible'
                                WHEN r_status < 0.83 THEN 'duplicate' ELSE 'closed' END
                       END AS status
                FROM draw
            )
            SELECT id, base_id, reference, status, created_at,
                   nextval(pg_get_serial_sequence('portal_casekey', 'id')) AS case_key_id,
                   created_at + (1 + random() * 20) * interval '1 second' AS screened_at,
                   CASE WHEN status = 'queued' THEN created_at + (1 + random() * 20) * interval '1 second'
                        ELSE least(now(), created_at + random() * interval '40 days') END AS updated_at,
                   CASE WHEN status IN ('in_review', 'info_requested', 'accepted', 'communication_sent')
                             AND r_assign < 0.8 AND cardinality(%(staff)s::bigint[]) > 0
                        THEN (%(staff)s::bigint[])[1 + floor(r_assign / 0.8 * cardinality(%(staff)s::bigint[]))::int]
                   END AS assignee_id,
                   r_incomplete < 0.1 AS incomplete
            FROM planned
            """,
            {"n": n, "base": base_ids, "staff": assignees},
        )
        # A case key of its own per clone (a case has one), holding its base case's keys: the sealed values
        # copied from the base name the base's key, and read as the base's do.
        key_columns, key_values = _copy("portal_casekey", {}, "k")
        cursor.execute(
            f"INSERT INTO portal_casekey (id, {key_columns}) "  # noqa: S608 (column names of the models)
            f"SELECT p.case_key_id, {key_values} FROM clone_plan p "
            "JOIN submissions_submission b ON b.id = p.base_id JOIN portal_casekey k ON k.id = b.case_key_id"
        )
        cursor.execute(
            f"INSERT INTO submissions_submission ({submission_columns}) "  # noqa: S608 (column names of the models)
            f"SELECT {submission_values} FROM clone_plan p JOIN submissions_submission b ON b.id = p.base_id "
            "ON CONFLICT (reference) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(
            f"INSERT INTO submissions_defender ({defender_columns}) "  # noqa: S608 (column names of the models)
            f"SELECT {defender_values} FROM clone_plan p JOIN submissions_submission s ON s.id = p.id "
            "JOIN submissions_defender d ON d.submission_id = p.base_id"
        )
        cursor.execute(
            f"INSERT INTO submissions_consent ({consent_columns}) "  # noqa: S608 (column names of the models)
            f"SELECT {consent_values} FROM clone_plan p JOIN submissions_submission s ON s.id = p.id "
            "JOIN LATERAL (SELECT * FROM submissions_consent x WHERE x.submission_id = p.base_id "
            "ORDER BY x.recorded_at DESC, x.id DESC LIMIT 1) c ON true"
        )
        cursor.execute(change("'received'", "''", "source", "p.created_at", "true"))
        cursor.execute(change("'queued'", "'received'", "system", "p.screened_at", "true"))
        cursor.execute(
            change("p.status", "'queued'", "staff", "greatest(p.screened_at, p.updated_at)", "p.status <> 'queued'")
        )
    return inserted


def seed(target: int = TARGET, *, base_cases: int = BASE_CASES, assignees: list[int] = (), log=print) -> dict:
    """Bring the table to `target` submissions; what was done and how long it took."""
    began = time.perf_counter()
    before = count()
    done = {"before": before, "target": target, "base_cases_made": 0, "cloned": 0, "seconds": 0.0}
    if before >= target:
        log(f"  {before} submissions already: seeding skipped")
        done["after"] = before
        return done
    # The first cases made here are the models of every clone (an interrupted seeding left them behind).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM submissions_submission WHERE screened_at IS NOT NULL ORDER BY id LIMIT %s", [base_cases]
        )
        base_ids = [row[0] for row in cursor.fetchall()]
    if len(base_ids) < base_cases:
        need = min(base_cases - len(base_ids), target - before)
        log(f"  {need} cases through submission_create + submission_screen ...")
        started = time.perf_counter()
        base_ids += make_cases(need, seed=before + 1)
        done["base_cases_made"] = need
        log(f"  ... {time.perf_counter() - started:.1f} s")
    left = target - count()
    while left > 0:
        started = time.perf_counter()
        inserted = clone(left, base_ids=base_ids, assignees=list(assignees))
        done["cloned"] += inserted
        log(f"  cloned {inserted} submissions in bulk ({time.perf_counter() - started:.1f} s)")
        left = target - count()
    done["vacuum_analyze_seconds"] = seeding.vacuum_analyze()
    done["after"] = count()
    done["seconds"] = time.perf_counter() - began
    return done

"""Where a demo letter's CPU goes: cProfile over writing demo letters as `make run` writes them.

    python -m portal.embedded --data .data/letters --no-fsync -- python bench/profile_letters.py [--letters 20]

Seeds the demo cases and staff once (`manage.py seed_demo`, letters not written) with the benches'
office key, then writes the next `--letters` demo letters through the same services
(communications.demo.seed_some) under the profiler, in a transaction rolled back at the end, so that
every run writes the same letters. Prints the CPU per letter of this process and of its PostgreSQL
backend, and the profile's top entries; `--out FILE` keeps the profile.
"""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BASE_DIR / "bench"]
sys.path.insert(0, str(BASE_DIR))

from bench import stack  # noqa: E402


class _RolledBack(Exception):
    pass


def _backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Timed:
    """CPU spent in a few functions, outermost calls only, whether or not the profiler runs."""

    def __init__(self, targets: dict[str, tuple[object, str]]) -> None:
        self.spent = dict.fromkeys(targets, 0.0)
        self.depth = dict.fromkeys(targets, 0)
        for label, (module, name) in targets.items():
            setattr(module, name, self._wrap(label, getattr(module, name)))

    def _wrap(self, label: str, function):
        def timed(*args, **kwargs):
            self.depth[label] += 1
            began = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.depth[label] -= 1
                if not self.depth[label]:
                    self.spent[label] += time.process_time() - began

        return timed


def main() -> None:
    options = stack.parser(__doc__, data=".data/letters")
    options.add_argument("--letters", type=int, default=20, help="letters written under the profiler (20)")
    options.add_argument("--skip", type=int, default=0, help="letters written (and kept) before, unprofiled")
    options.add_argument("--no-profile", action="store_true", help="time only")
    options.add_argument("--out", help="write the profile here")
    options.add_argument("--lines", type=int, default=40, help="entries shown per table (40)")
    args = options.parse_args()
    os.environ["DEMO_LETTERS_IN_BACKGROUND"] = "0"
    if stack.begin("profile_letters.py", args, settings="portal.settings") is None:
        raise SystemExit(2)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from communications import demo, gate, pdf, release
    from communications.models import Communication

    timed = _Timed({
        "PDF (render_letter)": (pdf, "render_letter"),
        "name finder (find_names)": (gate, "find_names"),
        "first person (first_person_sentences)": (gate, "first_person_sentences"),
        "what is protected (protected_of)": (gate, "protected_of"),
        "public record (write_public_record)": (release, "write_public_record"),
    })  # fmt: skip
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    now = timezone.now()
    if args.skip > Communication.objects.count():
        demo.seed_some(now=now, limit=args.skip - Communication.objects.count())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    profile = cProfile.Profile(time.process_time)  # CPU, not the waits on a busy machine
    began, backend_began = time.process_time(), _backend_cpu_seconds(backend)
    try:
        with transaction.atomic():
            if not args.no_profile:
                profile.enable()
            demo.seed_some(now=now, limit=args.letters)
            profile.disable()
            raise _RolledBack
    except _RolledBack:
        pass
    spent = (time.process_time() - began) / args.letters
    backend_spent = (_backend_cpu_seconds(backend) - backend_began) / args.letters
    print(
        f"CPU per letter ({'under the profiler' if not args.no_profile else 'no profiler'}): "
        f"this process {spent:.3f} s, its database backend {backend_spent:.3f} s"
    )
    for label, seconds in timed.spent.items():
        print(f"  of which {label}: {seconds / args.letters:.3f} s")
    if args.no_profile:
        return
    if args.out:
        profile.dump_stats(args.out)
    report = pstats.Stats(profile).strip_dirs()
    report.sort_stats("tottime").print_stats(args.lines)
    report.sort_stats("cumulative").print_stats(args.lines)


if __name__ == "__main__":
    main()

"""What hostile text costs the readers of a report and a letter: growth with the text's length.

    python -m portal.embedded --data .data/bench --no-fsync -- python -m bench.hostile_text [--length 20000]

A report's text fields take up to 20,000 characters each, and everything a source writes is read by the
screening (keyword hints) and, once in a letter, by the name gate (protected names and contacts, the
source's first person). Each pattern below is read at a quarter of `--length` and at `--length`; a reader
that grows with the text's length takes about 4 times as long for the longer text, one that grows with its
square about 16 times. Prints the CPU of each and the ratio; goal: every ratio under 6. Nothing is read
from the database (the embedded servers only give the settings what they need).
"""

import argparse
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from communications import names  # noqa: E402
from portal import text  # noqa: E402
from submissions import screening  # noqa: E402

# Each pattern is repeated to the length: runs that a regular expression might try from every position.
PATTERNS = {
    "initials": "A. ",
    "full stops": ".",
    "stops and quotes": '.!?…»"',
    "titles": "Mr. ",
    "unclosed tags": "<a ",
    "unclosed comment": "<!--x",
    "unclosed attribute": "<a title='",
    "ampersands": "&",
    "character references": "&#1072;",
    "one long word": "а",
    "hyphens": "-a",
    "apostrophes": "a'",
    "stress marks": "а\u0301",
    "zero-width spaces": "a\u200b",
    "mixed scripts": "Ивaнoвa ",
    "phone-like": "+7 ",
    "digits and separators": "1-",
    "first person": "I ",
    "first person, Russian": "Я ",
}
PROTECTED = [
    names.Protected(label="victim", names=("Анна Иванова",), contacts=("+7 912 345 67 89", "anna.ivanova@example.org"))
]


def _read(source: str) -> float:
    """CPU seconds to read `source` as a report and a letter are read, with nothing kept from earlier reads."""
    text.stream.cache_clear()
    text._tokens_of.cache_clear()
    names._first_person_sentences.cache_clear()
    began = time.process_time()
    screening.keyword_hints([source], [])
    names.find_names(source, PROTECTED)
    names.first_person_sentences(source, "ru")
    text.sentences(source)
    return time.process_time() - began


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--length", type=int, default=20_000, help="characters of the longer text (20000)")
    length = options.parse_args().length
    _read("warm up the analysers: Анна Иванова, I.")
    print(f"{'pattern':24} {'CPU at ' + str(length // 4):>14} {'CPU at ' + str(length):>14} {'ratio':>6}")
    worst = 0.0
    for label, piece in PATTERNS.items():
        short, long = ((piece * (n // len(piece) + 1))[:n] for n in (length // 4, length))
        spent = [min(_read(short) for _ in range(3)), min(_read(long) for _ in range(3))]
        ratio = spent[1] / max(spent[0], 1e-6)
        worst = max(worst, ratio)
        print(f"{label:24} {spent[0] * 1000:11.1f} ms {spent[1] * 1000:11.1f} ms {ratio:6.1f}")
    print(f"worst ratio {worst:.1f} (goal: under 6)")
    return 0 if worst < 6 else 1


if __name__ == "__main__":
    sys.exit(main())

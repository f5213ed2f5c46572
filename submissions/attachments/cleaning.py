"""Working copies made off the request path, in a child process with CPU, memory and page limits.

A request only sniffs and screens a file (signatures, structure, hidden payloads, archive limits),
which takes milliseconds; making the metadata-free working copy (re-encoding a photo, rewriting a
PDF of any number of pages) is the Celery worker's job, through `make_working_copy()`. It runs the
format's cleaner in `python -m submissions.attachments.cleaning`, fed the file on stdin (never on
disk), under RLIMIT_CPU and RLIMIT_AS and a wall-clock timeout, and with a page limit for PDFs. A
file the cleaner refuses or that goes past a limit keeps only its original, encrypted, as evidence,
and is flagged for staff: nothing a source sent is lost.

MP3: the ID3 and APE tags (titles, names, comments, pictures, places) are removed with mutagen and
the audio frames kept. MP4: no working copy (its metadata lives in boxes that no tool here rewrites
safely); staff see a warning to open the original with care.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
from dataclasses import dataclass

from django.conf import settings

from portal.priority import LOWEST_NICE, lowest_priority

# Exit codes of the child: a refusal by the cleaner names its reason on stderr.
_REFUSED = 3
_TOO_MANY_PAGES = 4


@dataclass(frozen=True)
class Cleaned:
    working_copy: bytes | None
    outcome: str  # "clean", "original_only" or "failed"
    note: str = ""  # a reason code for staff; never the file's name or content


NOT_MADE = {"text": Cleaned(None, "clean"), "mp4": Cleaned(None, "original_only", "video-metadata-kept")}


# The lowest CPU priority: a flood of heavy files slows the cleaning, not the site.
CHILD_NICE = LOWEST_NICE


def _limit_child() -> None:
    if settings.ATTACHMENT_CLEAN_LOWEST_PRIORITY:
        lowest_priority()
    cpu = settings.ATTACHMENT_CLEAN_CPU_SECONDS
    memory = settings.ATTACHMENT_CLEAN_MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def make_working_copy(data: bytes, *, kind: str) -> Cleaned:
    if kind in NOT_MADE:
        return NOT_MADE[kind]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    try:
        child = subprocess.run(  # noqa: S603 (this module, with a kind from the database's own choices)
            [sys.executable, "-m", "submissions.attachments.cleaning", kind],
            input=data,
            capture_output=True,
            env=env,
            # Celery's pool children run one task at a time: no thread can hold a lock across the fork.
            preexec_fn=_limit_child,
            timeout=settings.ATTACHMENT_CLEAN_WALL_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return Cleaned(None, "failed", "time-limit")
    if child.returncode == 0:
        return Cleaned(child.stdout, "clean")
    if child.returncode == _REFUSED:
        return Cleaned(None, "failed", child.stderr.decode(errors="replace").strip()[-40:] or "refused")
    if child.returncode == _TOO_MANY_PAGES:
        return Cleaned(None, "failed", "page-limit")
    # Killed by a signal (SIGXCPU, SIGKILL) or out of memory (a MemoryError ends it with 1).
    return Cleaned(None, "failed", "cpu-or-memory-limit")


def mp3_working_copy(data: bytes, name: str) -> bytes:
    """The MP3 without its ID3v1, ID3v2 and APEv2 tags."""
    from mutagen.apev2 import delete as delete_ape
    from mutagen.id3 import delete as delete_id3

    buffer = io.BytesIO(data)
    delete_id3(buffer, delete_v1=True, delete_v2=True)
    buffer.seek(0)
    delete_ape(buffer)
    return buffer.getvalue()


def _pdf_page_count(data: bytes) -> int:
    """The page count the document declares, read before any page is (walking 60,000 pages takes seconds).

    A document that declares fewer pages than it has meets the CPU limit instead.
    """
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        declared = reader.trailer["/Root"].get_object()["/Pages"].get_object().get("/Count", 0)
        return int(declared) if int(declared) > 0 else len(reader.pages)
    except Exception:
        return 0  # the cleaner says what is wrong with it


def _main(kind: str) -> int:
    # No django.setup(): the cleaners need the settings (the limits), not the apps, whose loading took four
    # fifths of the child's 0.8 s of CPU for a small photo (once per file, in the worker).
    from submissions.attachments import _WORKING_COPY, limits
    from submissions.attachments.rejections import AttachmentRejected

    cleaners = {**_WORKING_COPY, "mp3": mp3_working_copy}
    data = sys.stdin.buffer.read()
    if kind == "pdf" and _pdf_page_count(data) > limits.MAX_PDF_PAGES:
        return _TOO_MANY_PAGES
    try:
        copy = cleaners[kind](data, "attachment")
    except AttachmentRejected as refusal:
        sys.stderr.write(getattr(refusal, "code", None) or "refused")
        return _REFUSED
    sys.stdout.buffer.write(copy or b"")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))

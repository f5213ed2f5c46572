"""The lowest CPU priority, for work that must yield the processors to the people using the site."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

LOWEST_NICE = 19


def lowest_priority() -> None:
    """This process below every other in the scheduler's eyes.

    Where Linux groups processes by session (autogroup, on by default), a nice value counts only against
    the same session's processes, and a child in its parent's session weighs as much as the parent: the
    process starts a session of its own and lowers that session's weight as well as its own.
    """
    os.setsid()
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text(str(LOWEST_NICE))
    os.nice(LOWEST_NICE)

"""bench.settings with a null cipher in place of sealing's sealed boxes (bench/unsealed.py), installed in
every process that starts Django with it: bench/intake.py --ab-sealing runs a stack on each."""

from bench.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.unsealed.UnsealedConfig"]  # noqa: F405

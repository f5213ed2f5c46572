"""Where the CPU went during a measured window (Linux /proc; empty elsewhere).

Throughput on a shared machine moves with whatever else runs on it. The CPU
the portal's own processes spend per request moves much less, so the bench
reports both: `server` is gunicorn, the Celery worker, PostgreSQL and Redis
(each with its children), `client` is the load generator, `machine` is every
busy core, and `other` is what the machine spent on anything else.
"""

import os
import time
from pathlib import Path

_PROC = Path("/proc")


def _ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent id, CPU seconds of the process and of the children it has reaped).

    Counting reaped children keeps the CPU of a process that ends (a
    PostgreSQL backend, a recycled worker) in its parent's total, so a
    tree's sum never goes down.
    """
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) / _ticks()


def _all_processes() -> dict[int, tuple[int, float]]:
    found = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                found[int(entry.name)] = stat
    return found


def parent_of(pid: int) -> int | None:
    stat = _stat(pid)
    return stat[0] if stat else None


def _machine_busy_seconds() -> float:
    with (_PROC / "stat").open() as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields) - idle) / _ticks()


class Meter:
    """Cumulative CPU seconds of the bench's process trees, the client and the machine."""

    def __init__(self, roots: dict[str, int | None]):
        self.roots = {name: pid for name, pid in roots.items() if pid}
        self.available = _PROC.joinpath("stat").exists()

    def _tree_seconds(self, processes: dict[int, tuple[int, float]], root: int) -> float:
        children: dict[int, list[int]] = {}
        for pid, (parent, _) in processes.items():
            children.setdefault(parent, []).append(pid)
        seen, queue = set(), [root]
        while queue:
            pid = queue.pop()
            if pid in seen or pid not in processes:
                continue
            seen.add(pid)
            queue += children.get(pid, [])
        return sum(processes[pid][1] for pid in seen)

    def __call__(self) -> dict[str, float]:
        if not self.available:
            return {}
        processes = _all_processes()
        trees = {name: self._tree_seconds(processes, pid) for name, pid in self.roots.items()}
        return {
            **trees,
            "server": sum(trees.values()),
            "client": time.process_time(),
            "machine": _machine_busy_seconds(),
        }

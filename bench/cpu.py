"""Where the CPU went during a measured window (Linux /proc; nothing elsewhere).

Throughput on a shared machine moves with whatever else runs on it. The CPU
the portal's own processes spend per request moves much less, so the bench
reports both. Meter() returns cumulative CPU seconds by name:

- gunicorn, celery, redis: each server's process tree (or trees: several
  gunicorn instances or Celery workers add up under one name);
- postgres: the PostgreSQL backends, which run the queries of the requests;
- postgres-background: the postmaster, checkpointer, WAL writer, autovacuum.
  Their work comes in bursts that land in whichever window is running, so it
  is reported on its own and left out of `server`;
- server: gunicorn + celery + postgres + redis;
- client: the load generator (this process); machine: every busy core.
"""

import os
import time
from collections.abc import Iterable
from pathlib import Path

_PROC = Path("/proc")
_POSTGRES_BACKGROUND = (
    "checkpointer",
    "background writer",
    "walwriter",
    "autovacuum",
    "logical replication",
    "stats collector",
    "archiver",
    "io worker",
    "walsummarizer",
)


def _ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent id, CPU seconds the process has used itself, CPU seconds of the children it has waited for)."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces
    ticks = _ticks()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks, (int(fields[13]) + int(fields[14])) / ticks


def _command(pid: int) -> str:
    try:
        return (_PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def seconds_of(pid: int) -> float:
    """CPU seconds a process has used itself (a PostgreSQL backend serving this process, say)."""
    stat = _stat(pid)
    return stat[1] if stat else float("nan")


def parent_of(pid: int) -> int | None:
    stat = _stat(pid)
    return stat[0] if stat else None


def _machine_busy_seconds() -> float:
    with (_PROC / "stat").open() as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields) - idle) / _ticks()


class Meter:
    """Cumulative CPU seconds of the bench's process trees, the client and the machine.

    Each call adds what every process used since the previous call (all of
    it for a process that is new), so the totals only grow. A process that
    ends between two calls is counted through its parent, which waits for
    it: the parent's time of waited-for children grows by all the CPU the
    child used, of which the part seen at earlier calls is taken off. That
    matters for PostgreSQL, whose backends last only as long as Django keeps
    a connection (DB_CONN_MAX_AGE, 60 s): they are counted in full as
    `postgres` (an autovacuum worker that starts and ends between two calls
    is counted with them).
    """

    def __init__(self, roots: dict[str, int | Iterable[int] | None]):
        self.roots = {
            name: [pid] if isinstance(pid, int) else [p for p in pid if p] for name, pid in roots.items() if pid
        }
        self.available = _PROC.joinpath("stat").exists()
        self.seen: dict[int, float] = {}
        self.reaped: dict[int, float] = {}  # per process: CPU of the children it has waited for
        self.kids: dict[int, list[int]] = {}
        self.totals: dict[str, float] = {}
        self.commands: dict[int, str] = {}

    def _name(self, root_name: str, pid: int, root: int) -> str:
        if root_name != "postgres":
            return root_name
        if pid not in self.commands:
            self.commands[pid] = _command(pid)
        command = self.commands[pid]
        if pid == root or any(f"postgres: {kind}" in command for kind in _POSTGRES_BACKGROUND):
            return "postgres-background"
        return "postgres"

    def _sample(self) -> None:
        processes = {}
        for entry in _PROC.iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    processes[int(entry.name)] = stat
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in processes.items():
            children.setdefault(parent, []).append(pid)
        now: dict[int, float] = {}
        reaped: dict[int, float] = {}
        for root_name, roots in self.roots.items():
            self.totals.setdefault(root_name, 0.0)
            for root in roots:
                queue = [root]
                while queue:
                    pid = queue.pop()
                    if pid in now or pid not in processes:
                        continue
                    _, used, reaped[pid] = processes[pid]
                    now[pid] = used
                    name = self._name(root_name, pid, root)
                    self.totals[name] = self.totals.get(name, 0.0) + used - self.seen.get(pid, 0.0)
                    if pid in self.reaped:
                        gone = [child for child in self.kids.get(pid, ()) if child not in processes]
                        ended = reaped[pid] - self.reaped[pid] - sum(self.seen.get(child, 0.0) for child in gone)
                        if ended > 0:
                            self.totals[root_name] = self.totals.get(root_name, 0.0) + ended
                    queue += children.get(pid, [])
        self.kids = {pid: children.get(pid, []) for pid in now}
        self.reaped = reaped
        self.seen = now
        self.commands = {pid: command for pid, command in self.commands.items() if pid in now}

    def __call__(self) -> dict[str, float]:
        if not self.available:
            return {}
        self._sample()
        server = sum(
            value for name, value in self.totals.items() if name in ("gunicorn", "celery", "postgres", "redis")
        )
        return {
            **self.totals,
            "server": server,
            "client": time.process_time(),
            "machine": _machine_busy_seconds(),
        }


def other_cores(cores: dict[str, float]) -> float:
    """Cores (or CPU seconds) that programs outside the bench used: the machine's less the bench's own."""
    if "machine" not in cores:
        return float("nan")
    mine = sum(cores.get(name, 0.0) for name in ("server", "client", "postgres-background"))
    return max(0.0, cores["machine"] - mine)

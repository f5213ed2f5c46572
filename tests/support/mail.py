"""Mail in tests: a real SMTP sink on a local socket, a server that never answers, and the outbox drained.

The sink speaks just enough SMTP for smtplib (and so Django's SMTP backend): greeting, EHLO/HELO, MAIL,
RCPT, DATA, RSET, NOOP, QUIT. It keeps each message as received, headers and all.
"""

import contextlib
import email
import socket
import socketserver
import threading
from email.message import Message

from tests.support.processes import wait_for


def drain_outbox() -> int:
    """Send every unsent mail of the outbox now, in this process (Django's test mail backend: mail.outbox)."""
    from portal import outbox
    from portal.models import Mail

    return sum(
        outbox.mail_send(mail_id=pk) for pk in Mail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    )


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False


class _Running:
    """A socketserver on 127.0.0.1:port, served by a thread until stop()."""

    handler: type[socketserver.BaseRequestHandler]

    def __init__(self, port: int) -> None:
        self.port = port
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

    def start(self):
        self.server = _Server(("127.0.0.1", self.port), self.handler)
        self.server.owner = self
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        sink: SmtpSink = self.server.owner
        self.reply("220 sink ESMTP")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                with sink.lock:
                    sink.messages.append((sender, recipients, email.message_from_bytes(b"".join(lines))))
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SmtpSink(_Running):
    """A mail server that accepts every message and keeps it: `messages` is [(sender, recipients, message)]."""

    handler = _SmtpHandler

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.lock = threading.Lock()
        self.messages: list[tuple[str, list[str], Message]] = []

    def wait_for_messages(self, count: int, timeout: float = 60) -> None:
        wait_for(lambda: len(self.messages) >= count, timeout=timeout, message=f"{count} mail(s) at the sink")


class _SilentHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        # Hold the connection without a word until the server stops or the client gives up.
        stopping: threading.Event = self.server.owner.stopping
        self.request.settimeout(0.1)
        while not stopping.is_set():
            try:
                if self.request.recv(1024) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return


class SilentServer(_Running):
    """Accepts connections and never answers: a mail server that hangs."""

    handler = _SilentHandler

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()
        super().stop()


def nothing_listens(port: int) -> bool:
    with contextlib.closing(socket.socket()) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) != 0

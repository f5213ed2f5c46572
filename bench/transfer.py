"""What a browser downloads for one page: the HTML and every stylesheet and script it links.

Fetched as a browser would ask (Accept-Encoding: gzip, br), counting the
body bytes as they come over the wire. Each resource's gzip size (level 6,
what Django's GZipMiddleware uses) is recorded too, so that one sent
uncompressed shows what compressing it would save.
"""

import gzip
import http.client
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

BROWSER_ENCODINGS = "gzip, br"
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""")


@dataclass
class Resource:
    url: str
    kind: str  # html, css, js
    status: int
    encoding: str  # Content-Encoding as sent, "identity" when none
    wire_bytes: int  # body bytes as transferred
    raw_bytes: int  # body bytes once decoded (equal to wire when identity or br without a decoder)
    gzip_bytes: int  # gzip -6 of the decoded body: what compression would give


@dataclass
class PageWeight:
    page: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def wire_bytes(self) -> int:
        return sum(resource.wire_bytes for resource in self.resources)

    @property
    def uncompressed(self) -> list[Resource]:
        return [resource for resource in self.resources if resource.encoding == "identity"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").lower().split() and values.get("href"):
            self.found.append(("css", values["href"]))
        elif tag == "script" and values.get("src"):
            self.found.append(("js", values["src"]))


def _decode(wire: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(wire)
    if encoding == "br":
        try:
            import brotli  # optional; without it the br body is counted as is
        except ImportError:
            return wire
        return brotli.decompress(wire)
    return wire


def _fetch(connection: http.client.HTTPConnection, path: str, kind: str, url: str) -> tuple[Resource, bytes]:
    connection.request("GET", path, headers={"Accept-Encoding": BROWSER_ENCODINGS, "Accept-Language": "en"})
    answer = connection.getresponse()
    wire = answer.read()
    encoding = answer.headers.get("Content-Encoding", "identity").lower() or "identity"
    raw = _decode(wire, encoding)
    resource = Resource(
        url=url,
        kind=kind,
        status=answer.status,
        encoding=encoding,
        wire_bytes=len(wire),
        raw_bytes=len(raw),
        gzip_bytes=len(gzip.compress(raw, compresslevel=6, mtime=0)),
    )
    return resource, raw


def measure(*, host: str, port: int, page: str) -> PageWeight:
    base = f"http://{host}:{port}"
    weight = PageWeight(page=page)
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        html, body = _fetch(connection, page, "html", urljoin(base, page))
        weight.resources.append(html)
        parser = _Links()
        parser.feed(body.decode("utf-8", "replace"))
        queue = [(kind, urljoin(urljoin(base, page), href)) for kind, href in parser.found]
        seen = set()
        while queue:
            kind, url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            parts = urlsplit(url)
            if parts.netloc != f"{host}:{port}":
                # A third-party asset: the portal must have none; count it as a failure.
                weight.resources.append(Resource(url, kind, 0, "third-party", 0, 0, 0))
                continue
            resource, raw = _fetch(connection, parts.path + (f"?{parts.query}" if parts.query else ""), kind, url)
            weight.resources.append(resource)
            if kind == "css":
                text = raw.decode("utf-8", "replace")
                queue += [("css", urljoin(url, href)) for href in _CSS_IMPORT.findall(text)]
    finally:
        connection.close()
    return weight

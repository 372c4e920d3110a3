"""Access-log lines (Apache/Nginx combined or common format) into hits, or why a line is rejected.

A line is ``IP IDENT USER [TIME] "REQUEST" STATUS BYTES`` (common) optionally followed by
``"REFERRER" "USER-AGENT"`` (combined); fields after those (nginx's extended formats) are
ignored. Quotes inside quoted fields may be escaped as ``\\"`` (Apache) or ``\\x22`` (nginx).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from workbench.ingest.convert import EARLIEST, FUTURE_TOLERANCE, MAX_VALUE_CHARS, Rejected

MAX_LINE_BYTES = MAX_VALUE_CHARS  # a longer line is rejected as oversize (and never held whole)
_QUOTED = r'([^"\\]*(?:\\.[^"\\]*)*)'  # a quoted field's text, escapes allowed
LINE = re.compile(
    r'([^ ]+) [^ ]+ (?:"[^"]*"|[^ ]+) \[([^\]]+)\] "' + _QUOTED + r'" (\d{3}) (?:\d+|-)'
    r'(?: "' + _QUOTED + r'" "' + _QUOTED + r'")?(?: |$)'
)
REQUEST = re.compile(r"([A-Z][A-Z0-9_-]{0,19}) (\S+)(?: HTTP/\d(?:\.\d)?)?\Z")
ESCAPE = re.compile(rb"\\x([0-9A-Fa-f]{2})|\\(.)")
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
ASSETS = frozenset(
    "css js mjs map png jpg jpeg gif svg webp avif ico bmp tif tiff woff woff2 ttf otf eot"
    " cur apng jxl".split()
)
ASSET_PATHS = ("/favicon", "/apple-touch-icon", "/robots.txt", "/sitemap", "/.well-known/")
DOWNLOADS = frozenset(
    "pdf zip gz tgz tar bz2 xz 7z rar exe msi dmg pkg deb rpm apk ipa iso img doc docx xls"
    " xlsx ppt pptx odt ods odp csv epub mobi mp3 mp4 m4a wav flac ogg avi mov mkv wmv".split()
)


class Hit(NamedTuple):
    """One parsed request."""

    ts: int  # epoch milliseconds, UTC
    ip: str
    method: str
    url: str  # the request target as logged (path and query)
    status: int
    referrer: str
    agent: str
    kind: str  # pageview, download, asset, redirect or http_error


def kind_of(url: str, status: int) -> str:
    """What a request is: an asset (skipped), a download, a pageview, or a skipped status."""
    if status >= 400:
        return "http_error"
    if 300 <= status < 400 and status != 304:
        return "redirect"
    kind = _KINDS.get(url)
    if kind is None:
        if len(_KINDS) > 100_000:
            _KINDS.clear()
        kind = _KINDS[url] = _path_kind(url)
    return kind


_KINDS: dict[str, str] = {}  # URL -> asset, download or pageview (a log repeats its URLs)


def _path_kind(url: str) -> str:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    if path.startswith(("http://", "https://")):  # absolute form (proxies)
        path = "/" + path.split("/", 3)[-1] if path.count("/") >= 3 else "/"
    dot = path.rfind(".")
    ext = path[dot + 1 :] if dot > path.rfind("/") else ""
    if ext in ASSETS or path.startswith(ASSET_PATHS):
        return "asset"
    return "download" if ext in DOWNLOADS else "pageview"


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    raw = ESCAPE.sub(
        lambda m: bytes([int(m[1], 16)]) if m[1] else m[2], text.encode("utf-8", "surrogatepass")
    )
    return raw.decode("utf-8", "replace")


class Clock:
    """Log times to epoch ms, cached (a log repeats each second's text), checked against now."""

    def __init__(self, now: dt.datetime) -> None:
        self.earliest = int(EARLIEST.timestamp() * 1000)
        self.latest = int((now + FUTURE_TOLERANCE).timestamp() * 1000)
        self.cache: dict[str, int] = {}  # log time text -> epoch ms, read directly by parse()

    def ms(self, text: str) -> int:
        value = self.cache.get(text)
        if value is None:
            if len(self.cache) > 100_000:
                self.cache.clear()
            value = self.cache[text] = _parse_time(text)
        if value < self.earliest:
            raise Rejected("ancient_timestamp", f"time {text!r} is before {EARLIEST:%Y-%m-%d}")
        if value > self.latest:
            raise Rejected("future_timestamp", f"time {text!r} is over a day after now")
        return value


def _parse_time(text: str) -> int:
    """``10/Oct/2000:13:55:36 -0700`` (or an ISO 8601 instant with an offset) as epoch ms."""
    try:
        if len(text) == 26 and text[2] == "/" and text[11] == ":" and text[20] == " ":
            offset = int(text[22:24]) * 60 + int(text[24:26])
            offset = -offset if text[21] == "-" else offset
            if text[21] not in "+-":
                raise ValueError(text)
            moment = dt.datetime(
                int(text[7:11]),
                MONTHS[text[3:6]],
                int(text[0:2]),
                int(text[12:14]),
                int(text[15:17]),
                int(text[18:20]),
                tzinfo=dt.timezone(dt.timedelta(minutes=offset)),
            )
        else:
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise ValueError(text)
        return int(moment.timestamp()) * 1000 + moment.microsecond // 1000
    except (ValueError, KeyError, OverflowError):
        raise Rejected("bad_timestamp", f"time {text[:80]!r} is not a log time") from None


def _fields(text: str) -> tuple[str, ...] | None:
    """The fields of a plain line (no backslash) by splitting on quotes, else by the regex."""
    if "\\" not in text:
        parts = text.split('"')
        if len(parts) in (3, 7) and (
            len(parts) == 3 or (parts[4] == " " and parts[6] in ("", " "))
        ):
            head, tail = parts[0], parts[2].split(" ")
            start = head.find(" [")
            if (
                start > 0
                and head[0] != " "
                and head.endswith("] ")
                and head.count(" ", 0, start) == 2
                and len(tail) == (4 if len(parts) == 7 else 3)
                and len(tail[1]) == 3
                and tail[1].isdigit()
                and (tail[2].isdigit() or tail[2] == "-")
            ):
                ip = head[: head.find(" ")]
                when = head[start + 2 : -2]
                if len(parts) == 3:
                    return ip, when, parts[1], tail[1], None, None
                return ip, when, parts[1], tail[1], parts[3], parts[5]
    match = LINE.match(text)
    return match.groups() if match else None


def parse(text: str, clock: Clock) -> Hit:
    """One decoded line as a Hit; Rejected with a reason if it is not a log line."""
    fields = _fields(text)
    if fields is None:
        raise Rejected("malformed_line", "not an Apache/Nginx common or combined log line")
    ip, when, request, status, referrer, agent = fields
    ts = clock.cache.get(when)
    if ts is None or not clock.earliest <= ts <= clock.latest:
        ts = clock.ms(when)
    code = int(status)
    parts = request.split(" ")
    if (
        2 <= len(parts) <= 3
        and parts[0].isalpha()
        and parts[0].isupper()
        and parts[1]
        and (len(parts) == 2 or parts[2].startswith("HTTP/"))
    ):
        method, url = parts[0], parts[1]
    else:
        target = REQUEST.match(request)
        if target is None:
            if code >= 400:  # junk a server answered with an error (TLS probes, empty requests)
                return Hit(ts, ip, "", "", code, "", "", "http_error")
            raise Rejected("malformed_request", f"request {request[:80]!r} is not METHOD TARGET")
        method, url = target.groups()
    if "\\" in text:
        url, referrer, agent = _unescape(url), _unescape(referrer or ""), _unescape(agent or "")
    return Hit(ts, ip, method, url, code, referrer or "", agent or "", kind_of(url, code))


def read_lines(path: Path, block: int = 1 << 22) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes without the newline, whether it was cut at MAX_LINE_BYTES).

    The file is read in blocks split at newlines; a longer line is cut, and read past without
    being held whole. A CRLF ending counts as a newline; a last line without one still counts.
    """
    number, carry, skipping = 0, b"", False
    with open(path, "rb") as fh:
        while data := fh.read(block):
            lines = data.split(b"\n")
            lines[0] = carry + lines[0]
            carry = lines.pop()
            for raw in lines:
                number += 1
                if skipping:  # the end of a cut line: already reported
                    skipping = False
                    number -= 1
                    continue
                cut = len(raw) > MAX_LINE_BYTES
                yield number, (raw[:MAX_LINE_BYTES] if cut else raw).rstrip(b"\r"), cut
            if len(carry) > MAX_LINE_BYTES and not skipping:
                number += 1
                yield number, carry[:MAX_LINE_BYTES], True
                carry, skipping = b"", True
            elif skipping:
                carry = b""
    if carry and not skipping:
        number += 1
        yield number, carry.rstrip(b"\r"), len(carry) > MAX_LINE_BYTES


def event_id(site: bytes, line: bytes) -> str:
    """A line's id: a hash of the site and the line's bytes (the same line is the same hit)."""
    return hashlib.blake2b(site + b"\0" + line, digest_size=16).hexdigest()

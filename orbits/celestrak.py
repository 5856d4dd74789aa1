"""Fresh element sets from CelesTrak's GP API, fetched politely.

The only module that uses the network, and only when ``orbits tle update``
asks it to.  CelesTrak's rules, which this follows (see ``docs/decisions.md``):

* its data changes at most every 2 hours, so the same query is not sent
  again within :data:`MIN_INTERVAL` of the last successful one (unless forced);
* any reply but HTTP 200 means *stop and tell a person*: no retries, no
  redirects followed, the rest of the update abandoned;
* ``FORMAT`` is always sent (OMM JSON by default: catalogue numbers above
  99999 have no TLE form).

Every reply is validated in full before anything is stored, and the cache
is changed all at once (see :mod:`orbits.cache`) or not at all.
"""

import os
import socket
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import __version__
from .errors import ElementError, OrbitsError
from .tle import parse_elements, read_text
from .times import UTC

__all__ = ["GP_URL", "MIN_INTERVAL", "FORMATS", "FetchError", "Query", "fetch", "update", "offline"]

GP_URL = "https://celestrak.org/NORAD/elements/gp.php"
MIN_INTERVAL = timedelta(hours=2)
FORMATS = ("json", "csv", "tle")
USER_AGENT = f"orbits/{__version__} (satellite pass predictor; Python urllib)"
_MAX_BYTES = 200 * 1024 * 1024


class FetchError(OrbitsError):
    """The network or the server failed; the cache is unchanged.  Exit status 1."""

    exit_status = 1


@dataclass(frozen=True)
class Query:
    """A GP query: ``kind`` is ``"CATNR"`` or ``"GROUP"``, ``value`` its argument."""

    kind: str
    value: str

    def __str__(self):
        return f"{self.kind}={self.value}"

    def url(self, base, fmt):
        """The request URL for ``base`` (e.g. :data:`GP_URL`) in format ``fmt``."""
        query = urllib.parse.urlencode({self.kind: self.value, "FORMAT": fmt.upper()})
        return f"{base}{'&' if '?' in base else '?'}{query}"


def offline():
    """True when ``ORBITS_OFFLINE`` is set to anything but ``''``/``0``."""
    return os.environ.get("ORBITS_OFFLINE", "") not in ("", "0")


def _opener():
    """A urllib opener that does not follow redirects (CelesTrak asks clients
    to stop on any non-200 reply).  The HTTP stack is imported here, so only
    commands that use the network pay for it."""
    import urllib.request

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None  # urllib then raises HTTPError for the 3xx reply

    return urllib.request.build_opener(NoRedirects)


def _snippet(body):
    text = body[:300].decode("utf-8", "replace").strip().splitlines()
    return " ".join(text[0].split())[:160] if text else ""


def fetch(query, *, base_url=GP_URL, fmt="json", timeout_s=10.0):
    """Send one GP query; return ``(url, body_bytes, element_sets)``.

    ``timeout_s`` bounds the connection and every read; the whole transfer
    is cut off after ``10 * timeout_s``.  Raises :class:`FetchError` with a
    one-line message on any fault (HTTP status other than 200, "No GP
    data found", an HTML page, a cut-short or malformed reply, a timeout,
    a DNS or connection failure).
    """
    import http.client
    import urllib.error
    import urllib.request

    url = query.url(base_url, fmt)
    host = urllib.parse.urlsplit(url).netloc or base_url
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    opener = _opener()
    deadline = time.monotonic() + 10 * timeout_s
    try:
        with opener.open(request, timeout=timeout_s) as reply:
            content_type = reply.headers.get("Content-Type", "")
            expected = reply.headers.get("Content-Length")
            chunks, size = [], 0
            while True:
                chunk = reply.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > _MAX_BYTES:
                    raise FetchError(f"{query}: the reply from {host} is larger than {_MAX_BYTES >> 20} MB; stopped")
                if time.monotonic() > deadline:
                    raise FetchError(f"{query}: the reply from {host} took longer than "
                                     f"{10 * timeout_s:g} s; stopped (cache unchanged)")
    except urllib.error.HTTPError as exc:
        raise FetchError(_status_message(query, host, exc)) from None
    except urllib.error.URLError as exc:
        raise FetchError(_network_message(query, host, exc.reason, timeout_s)) from None
    except http.client.IncompleteRead as exc:
        raise FetchError(f"{query}: the reply from {host} was cut short ({len(exc.partial)} bytes, "
                         f"{exc.expected} more expected); cache unchanged") from None
    except (TimeoutError, socket.timeout, OSError, http.client.HTTPException) as exc:
        raise FetchError(_network_message(query, host, exc, timeout_s)) from None
    body = b"".join(chunks)
    if expected is not None and expected.isdigit() and int(expected) != len(body):
        raise FetchError(f"{query}: the reply from {host} was cut short ({len(body)} of {expected} bytes); "
                         f"cache unchanged")
    return url, body, _validate(query, host, body, content_type)


def _status_message(query, host, exc):
    import http.client

    body = b""
    try:
        body = exc.read(2048)
    except (OSError, http.client.HTTPException):
        pass
    said = _snippet(body)
    if exc.code == 403:
        return (f"{query}: {host} refused the request (HTTP 403: {said or exc.reason}); not retrying. "
                f"CelesTrak blocks clients that keep asking: wait at least 2 hours")
    if "no gp data found" in said.lower():
        return f"{query}: {host} has no GP data for it (HTTP {exc.code}: {said})"
    if 300 <= exc.code < 400:
        where = exc.headers.get("Location", "?")
        return (f"{query}: {host} redirected to {where} (HTTP {exc.code}); not following it. "
                f"Check ORBITS_GP_URL (CelesTrak serves only https://celestrak.org)")
    return (f"{query}: {host} answered HTTP {exc.code} {exc.reason}{': ' + said if said else ''}; "
            f"stopped, as CelesTrak asks of clients on any error")


def _network_message(query, host, reason, timeout_s):
    if isinstance(reason, socket.gaierror):
        return f"{query}: cannot find the server {host} (DNS: {reason.strerror}); offline? cache unchanged"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{query}: no reply from {host} within {timeout_s:g} s; cache unchanged"
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return f"{query}: cannot reach {host} ({text}); cache unchanged"


def _validate(query, host, body, content_type):
    label = f"reply from {host}"
    said = _snippet(body)
    if not body.strip():
        raise FetchError(f"{query}: {host} sent an empty reply; cache unchanged")
    if said.lower().startswith("no gp data found"):
        raise FetchError(f"{query}: {host} has no GP data for it (HTTP 200: {said})")
    if "html" in content_type.lower() or body.lstrip()[:1] == b"<":
        raise FetchError(f"{query}: {host} sent an HTML page, not element sets "
                         f"(a proxy, captive portal or error page?); cache unchanged")
    try:
        sets = parse_elements(read_text(body, label), label)
    except ElementError as exc:
        raise FetchError(f"{query}: {exc} (truncated or malformed reply; cache unchanged)") from None
    if query.kind == "CATNR":
        wanted = int(query.value)
        if [e.norad_id for e in sets] != [wanted]:
            found = ", ".join(str(e.norad_id) for e in sets[:5])
            raise FetchError(f"{query}: {host} sent elements for {found}, not just {wanted}; cache unchanged")
    return sets


def update(queries, cache, *, force=False, base_url=None, fmt="json", timeout_s=10.0, now=None, log=None,
           offline_mode=False):
    """Fetch ``queries`` into ``cache`` (an :class:`~orbits.cache.ElementCache`).

    Queries fetched successfully less than :data:`MIN_INTERVAL` ago are
    skipped unless ``force``.  The first fault stops the update (no further
    requests) and raises :class:`FetchError`; the cache is then unchanged,
    even for queries that had succeeded.  Returns ``(fetched, skipped)``:
    lists of ``(Query, element_sets_or_CachedQuery)``.  ``log(message)``
    is called as each query finishes.  ``offline_mode`` (or ``ORBITS_OFFLINE``)
    refuses at once, before any request.
    """
    if offline_mode or offline():
        raise FetchError("offline mode (--offline or ORBITS_OFFLINE): not contacting CelesTrak; cache unchanged")
    base_url = base_url or os.environ.get("ORBITS_GP_URL") or GP_URL
    now = now or datetime.now(UTC)
    cached = cache.queries()
    replies, fetched, skipped = [], [], []
    for query in queries:
        entry = cached.get(str(query))
        if entry and not force and now - entry.fetched < MIN_INTERVAL:
            skipped.append((query, entry))
            continue
        url, body, sets = fetch(query, base_url=base_url, fmt=fmt, timeout_s=timeout_s)
        replies.append((str(query), url, datetime.now(UTC), body, sets))
        fetched.append((query, sets))
        if log:
            log(f"{query}: {len(sets)} element set{'s' if len(sets) != 1 else ''}")
    if replies:
        cache.commit(replies)
    return fetched, skipped

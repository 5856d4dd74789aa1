"""Fresh element sets from CelesTrak's GP API, fetched politely.

The only module that uses the network, and only when asked: by ``orbits
tle update``, or by a prediction command refreshing stale elements
(:func:`refresh`, bounded to a few seconds and never fatal).  CelesTrak's
rules, which this follows (see ``docs/decisions.md``):

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
from .elementset import from_the_future
from .errors import ElementError, OrbitsError, quoted
from .reading import parse_elements, read_text
from .times import UTC

__all__ = [
    "GP_URL",
    "MIN_INTERVAL",
    "FAILURE_MEMORY",
    "REFRESH_BUDGET_S",
    "FORMATS",
    "FetchError",
    "Query",
    "Refresh",
    "fetch",
    "update",
    "refresh",
    "offline",
    "gp_url",
    "check_epochs",
]

GP_URL = "https://celestrak.org/NORAD/elements/gp.php"
MIN_INTERVAL = timedelta(hours=2)
#: After a failed automatic refresh, predictions do not try again for this
#: long (a laptop without a network pays the wait once, not on every run).
FAILURE_MEMORY = timedelta(minutes=15)
#: Wall time an automatic refresh may take, in all (s).
REFRESH_BUDGET_S = 5.0
FORMATS = ("json", "csv", "tle")
USER_AGENT = f"orbits/{__version__} (satellite pass predictor; Python urllib)"
_MAX_BYTES = 200 * 1024 * 1024


class FetchError(OrbitsError):
    """The network or the server failed; the cache is unchanged.  Exit status 1.

    ``retry_after`` is how long an automatic refresh leaves the server alone
    after this failure (longer when the server refused us)."""

    exit_status = 1

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after if retry_after is not None else FAILURE_MEMORY


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
    """The first line of a server's text as a message quotes it: printable
    (escape sequences and other control characters become "?"), at most 160
    characters."""
    text = body[:300].decode("utf-8", "replace").strip().splitlines()
    line = " ".join(text[0].split())[:160] if text else ""
    return "".join(c if c.isprintable() else "?" for c in line)


def fetch(query, *, base_url=GP_URL, fmt="json", timeout_s=10.0, deadline=None, now=None):
    """Send one GP query; return ``(url, body_bytes, element_sets)``.

    ``timeout_s`` bounds the connection and every read; the whole transfer
    is cut off after ``10 * timeout_s``, or at ``deadline`` (a
    :func:`time.monotonic` value) if that comes first.  The reply is read in
    small pieces and the deadline checked between them, so a server that
    trickles bytes cannot hold the transfer open.  Raises
    :class:`FetchError` with a one-line message on any fault (HTTP status
    other than 200, "No GP data found", an HTML page, a cut-short or
    malformed reply, epochs more than a day ahead of ``now``, a timeout, a
    DNS or connection failure).
    """
    import http.client
    import urllib.error
    import urllib.request

    url = query.url(base_url, fmt)
    host = urllib.parse.urlsplit(url).netloc or base_url
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    opener = _opener()
    limit = time.monotonic() + 10 * timeout_s
    deadline = limit if deadline is None else min(deadline, limit)
    wait_s = max(0.05, min(timeout_s, deadline - time.monotonic()))
    try:
        with opener.open(request, timeout=wait_s) as reply:
            content_type = reply.headers.get("Content-Type", "")
            expected = reply.headers.get("Content-Length")
            chunks, size = [], 0
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{query}: the reply from {host} took longer than "
                        f"{wait_s if deadline < limit else 10 * timeout_s:.3g} s; "
                        f"stopped (cache unchanged)"
                    )
                chunk = reply.read1(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > _MAX_BYTES:
                    raise FetchError(
                        f"{query}: the reply from {host} is larger than {_MAX_BYTES >> 20} MB; stopped"
                    )
    except urllib.error.HTTPError as exc:
        raise FetchError(_status_message(query, host, exc), retry_after=_refused_wait(exc.code)) from None
    except urllib.error.URLError as exc:
        raise FetchError(_network_message(query, host, exc.reason, wait_s)) from None
    except http.client.IncompleteRead as exc:
        raise FetchError(
            f"{query}: the reply from {host} was cut short ({len(exc.partial)} bytes, "
            f"{exc.expected} more expected); cache unchanged"
        ) from None
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise FetchError(_network_message(query, host, exc, wait_s)) from None
    except ValueError as exc:  # a URL urllib cannot use
        raise FetchError(f"{query}: cannot request {quoted(url, 60)} ({quoted(exc, 60)})") from None
    body = b"".join(chunks)
    if expected is not None and expected.isdigit() and int(expected) != len(body):
        raise FetchError(
            f"{query}: the reply from {host} was cut short ({len(body)} of {expected} bytes); cache unchanged"
        )
    sets = _validate(query, host, body, content_type)
    check_epochs(sets, now or datetime.now(UTC), f"{query}: {host}")
    return url, body, sets


def check_epochs(sets, now, where):
    """Refuse a reply holding an element set whose epoch is more than
    :data:`~orbits.elementset.MAX_FUTURE` after ``now`` (see :func:`orbits.elementset.from_the_future`)."""
    e = from_the_future(sets, now)
    if e is not None:
        raise FetchError(
            f"{where}: {e.name or 'a satellite'} ({e.norad_id}) has epoch {e.epoch:%Y-%m-%d %H:%M} "
            f"UTC, more than a day in the future; refused (cache unchanged)"
        )


def _refused_wait(code):
    """How long to leave the server alone after HTTP ``code``."""
    return MIN_INTERVAL if code in (403, 429) else FAILURE_MEMORY


def _status_message(query, host, exc):
    import http.client

    body = b""
    try:
        body = exc.read(2048)
    except (OSError, http.client.HTTPException):
        pass
    said = _snippet(body)
    if exc.code == 403:
        return (
            f"{query}: {host} refused the request (HTTP 403: {said or exc.reason}); not retrying. "
            f"CelesTrak blocks clients that keep asking: wait at least 2 hours"
        )
    if "no gp data found" in said.lower():
        return f"{query}: {host} has no GP data for it (HTTP {exc.code}: {said})"
    if 300 <= exc.code < 400:
        where = _snippet(str(exc.headers.get("Location", "?")).encode("utf-8", "replace"))
        return (
            f"{query}: {host} redirected to {where} (HTTP {exc.code}); not following it. "
            f"Check ORBITS_GP_URL (CelesTrak serves only https://celestrak.org)"
        )
    reason = _snippet(str(exc.reason).encode("utf-8", "replace"))
    return (
        f"{query}: {host} answered HTTP {exc.code} {reason}{': ' + said if said else ''}; "
        f"stopped, as CelesTrak asks of clients on any error"
    )


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
        raise FetchError(
            f"{query}: {host} sent an HTML page, not element sets "
            f"(a proxy, captive portal or error page?); cache unchanged"
        )
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


def gp_url():
    """The GP endpoint: ``$ORBITS_GP_URL`` (a mirror or a test server), else
    :data:`GP_URL`.  Only ``http`` and ``https`` URLs are accepted."""
    url = os.environ.get("ORBITS_GP_URL") or GP_URL
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
        (parts.hostname or "").encode("idna")  # a host name DNS can carry (labels of 63 at most)
    except (ValueError, UnicodeError):
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise OrbitsError(f"ORBITS_GP_URL {quoted(url, 60)} is not an http:// or https:// URL")
    return url


def _recent(entry, now):
    """True when ``entry`` (a :class:`~orbits.cache.CachedQuery`) was fetched
    less than :data:`MIN_INTERVAL` before ``now``.  A fetch time in the future
    (a clock set wrong, an edited index) does not count as recent."""
    return entry is not None and not entry.imported and timedelta(0) <= now - entry.fetched < MIN_INTERVAL


def update(
    queries,
    cache,
    *,
    force=False,
    base_url=None,
    fmt="json",
    timeout_s=10.0,
    now=None,
    log=None,
    offline_mode=False,
):
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
        raise FetchError(
            "offline mode (--offline or ORBITS_OFFLINE): not contacting CelesTrak; cache unchanged"
        )
    base_url = base_url or gp_url()
    now = now or datetime.now(UTC)
    cached = cache.queries()
    replies, fetched, skipped = [], [], []
    for query in queries:
        entry = cached.get(str(query))
        if not force and _recent(entry, now):
            skipped.append((query, entry))
            continue
        url, body, sets = fetch(query, base_url=base_url, fmt=fmt, timeout_s=timeout_s, now=now)
        replies.append((str(query), url, datetime.now(UTC), body, sets))
        fetched.append((query, sets))
        if log:
            log(f"{query}: {len(sets)} element set{'s' if len(sets) != 1 else ''}")
    if replies:
        cache.commit(replies)
    return fetched, skipped


@dataclass(frozen=True)
class Refresh:
    """What an automatic refresh did.

    ``fetched``: ``[(Query, element_sets)]`` now in the cache; ``error``: the
    one-line reason the rest was not fetched (None when nothing failed);
    ``not_tried``: queries left as they were (politeness interval, an
    earlier failure remembered, the time budget spent, or the first fault).
    """

    fetched: tuple = ()
    error: str | None = None
    not_tried: tuple = ()


def refresh(queries, cache, *, budget_s=REFRESH_BUDGET_S, base_url=None, fmt="json", now=None):
    """Fetch ``queries`` into ``cache`` as a prediction's automatic refresh.

    The rules of :func:`update` (politeness interval per query, strict
    validation, no retry and no further query after a fault, atomic cache
    commit), with three differences: it never raises for the network or the
    server (the prediction goes on; :attr:`Refresh.error` says why it could
    not refresh); it keeps what arrived before a fault; and it takes at most
    ``budget_s`` seconds of wall time in all, a hanging DNS look-up
    included (the requests run in a thread that is abandoned at the
    deadline).  A failure is remembered in the cache for
    :attr:`FetchError.retry_after` (15 minutes; 2 hours after a refusal), and
    until then no request is sent.  Does nothing when offline.
    """
    import threading

    queries = list(queries)
    if offline() or not queries:
        return Refresh(not_tried=tuple(queries))
    now = now or datetime.now(UTC)
    cached = cache.queries()
    due = [q for q in queries if not _recent(cached.get(str(q)), now)]
    if not due:
        return Refresh(not_tried=tuple(queries))
    failure = cache.last_failure()
    if failure is not None and timedelta(0) <= now - failure[0] < failure[2]:
        minutes = (now - failure[0]).total_seconds() / 60
        return Refresh(
            error=f"not tried again: the last refresh failed {minutes:.0f} min ago ({failure[1]})",
            not_tried=tuple(queries),
        )
    base_url = base_url or gp_url()
    deadline = time.monotonic() + budget_s
    results, errors = [], []
    lock, abandoned = threading.Lock(), threading.Event()

    def run():
        for query in due:
            try:
                url, body, sets = fetch(
                    query, base_url=base_url, fmt=fmt, timeout_s=budget_s, deadline=deadline, now=now
                )
            except FetchError as exc:
                with lock:
                    errors.append(exc)
                return
            with lock:
                if abandoned.is_set():
                    return
                results.append((query, url, datetime.now(UTC), body, sets))

    worker = threading.Thread(target=run, name="orbits-refresh", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    with lock:
        abandoned.set()
        done, faults = list(results), list(errors)
    error = None
    if done:
        try:
            cache.commit([(str(q), url, fetched, body, sets) for q, url, fetched, body, sets in done])
        except OrbitsError as exc:  # an unwritable cache: the replies cannot be kept, the prediction goes on
            return Refresh((), f"the cache cannot keep the replies ({exc})", tuple(queries))
    if faults:
        error = str(faults[0])
        cache.record_failure(now, error, faults[0].retry_after)
    elif len(done) < len(due):
        error = f"no complete reply from {urllib.parse.urlsplit(base_url).netloc} within {budget_s:g} s"
        cache.record_failure(now, error, FAILURE_MEMORY)
    else:
        cache.clear_failure()
    got = {str(q) for q, *_ in done}
    return Refresh(
        tuple((q, sets) for q, _, _, _, sets in done), error, tuple(q for q in queries if str(q) not in got)
    )

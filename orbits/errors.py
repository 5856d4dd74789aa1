"""Errors that reach the user as one line on stderr (exit status 2)."""


def quoted(value, limit=40):
    """A value from outside (a file, a server, the command line) as a message
    quotes it: control characters escaped, at most ``limit`` characters of it,
    so that an error stays one short, printable line whatever came in."""
    text = str(value)
    cut = text[:limit]
    shown = repr(cut)
    return shown + ("..." if len(text) > limit else "")


class OrbitsError(Exception):
    """A problem with the user's input or environment, told in one line.

    The command-line interface prints ``orbits: <message>`` and exits with
    status 2; library callers can catch it like any exception.
    """


class ElementError(OrbitsError):
    """A malformed or unusable element set, located by file, line and field."""

    def __init__(self, source, line, field, message):
        self.source = source
        self.line = line
        self.field = field
        self.message = message
        where = f"{source}:{line}" if line else f"{source}"
        what = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {what}")


class SitesFileError(OrbitsError):
    """A bad row of a sites file (``--sites``), located by file, line and field."""

    def __init__(self, source, line, field, message):
        self.source, self.line, self.field, self.message = source, line, field, message
        where = f"{source}:{line}" if line else f"{source}"
        what = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {what}")

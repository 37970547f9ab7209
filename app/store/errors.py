"""What a store says when it cannot be used, and how it names a database safely."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from engine.config import ConfigError


class StoreError(RuntimeError):
    """The database cannot be used; the message names it and says what to do."""


class StoreUnavailable(StoreError):
    """The database stopped answering while the server runs (PostgreSQL stopped or out of
    reach, the SQLite file's directory gone): the request may be retried later, so the
    server says 503, not 500. The message names the database (never its password) for the log."""


def store_full(field: str, things: str, most: int, more: str = "") -> ConfigError:
    """The store holds as many links, saved runs or values as it may (code store_full)."""
    return ConfigError(
        field, f"the store holds as many {things} as it may", f"at most {most}{more}", "store_full", most=most
    )


def redact(url: str) -> str:
    """A database URL fit for a log or an error: the password (in the user part or in a
    `password=` parameter) replaced by ***."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            if ":" in user:
                netloc = f"{user.split(':', 1)[0]}:***@{host}"
        query = urlencode(
            [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:  # not even a URL: say nothing of what it held
        return "the database URL in BPX_DB (unreadable)"


def password_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        for key, value in parse_qsl(parts.query):
            if key == "password":
                return value
        return parts.password
    except ValueError:
        return None

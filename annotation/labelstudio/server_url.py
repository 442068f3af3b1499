"""A Label Studio server's URL, checked before anything is sent to it.

Two things go wrong with a URL given by hand (``--url`` or ``LABEL_STUDIO_URL``):

- **A user and password in it** (``http://admin:secret@host``). httpx would send them as Basic
  auth in place of the API key (so every call gets 401), and every message naming the server
  would print the password. akhbar authenticates with the API key only, so such a URL is
  refused, with the password masked in the message, and the fix (``--api-key``) named.
- **A URL that does not parse** (``http://[::1``, a port that is not a number, no host, a
  scheme other than http/https): one line saying so, instead of a ``ValueError`` traceback
  from deep inside the HTTP client.

:func:`redact` masks the user-info part of any string that looks like a URL, whether or not
it parses, so that even the refusal cannot show the secret.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from akhbar.schemas.errors import UsageError

# The authority's user-info: after an optional "scheme:" and "//", up to the last "@" before
# the path. Matched on the raw string, so that a URL that does not parse is masked too.
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)?([^/?#]*)@")

EXAMPLE = "http://127.0.0.1:8080"


def redact(url: str) -> str:
    """``url`` with any user and password replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", url, count=1)


def checked(url: str, where: str = "--url") -> str:
    """``url`` without a trailing slash, if it is an http(s) URL with a host and no user-info;
    else a one-line UsageError naming ``where`` it came from (``--url``, an environment
    variable, a settings file), the URL masked."""
    shown = redact(url)
    if _USERINFO.match(url):
        raise UsageError(
            f"{where} {shown}: a user or password in the URL is not used by akhbar (it would be "
            f"sent instead of the API key, and printed in messages); remove it from the URL and "
            f"give the API token with --api-key (or LABEL_STUDIO_API_KEY)"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port raises ValueError on a bad one
    except ValueError as e:
        raise UsageError(
            f"{where} {shown!r} is not a valid URL ({e}); give one like {EXAMPLE}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{where} {shown!r} is not an http(s) URL with a host; give one like {EXAMPLE}"
        )
    return url.rstrip("/")

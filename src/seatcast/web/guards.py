"""What every request to the web server must be, and what every answer carries (an ASGI middleware).

The server is meant for this machine: a page on any website can still make the visitor's
browser send it requests, so :class:`Guard` stops the ways that could work:

* **Host check** (DNS rebinding): a request whose ``Host`` is not a name this server answers to
  (``localhost``, ``127.0.0.1``, ``::1``, the address it is bound to, and each
  ``--allowed-host``) is refused with a 400, before any route runs;
* **JSON bodies only**: a request with a body must say ``Content-Type: application/json``
  (415 otherwise), so no cross-site form or ``text/plain`` "simple" POST reaches a route
  without the browser's preflight;
* **a ceiling on bodies** (``max_body`` bytes, 256 KB by default, ``--max-body`` or
  ``$SEATCAST_MAX_BODY``): a longer body gets a 413 as soon as it is known to be too long, and
  is never held in full;
* **security headers** on every answer: a Content-Security-Policy that lets the page load only
  from this server (and never be framed), ``X-Content-Type-Options: nosniff``,
  ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``.

It also answers ``HEAD`` wherever ``GET`` is answered (the same headers, no body). Every refusal
is JSON ``{"detail": message}`` naming the limit and how to change it, like the API's own errors.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from seatcast.web.workers import env_positive

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Default ceiling on a request body, in bytes; ``$SEATCAST_MAX_BODY`` overrides it.
DEFAULT_MAX_BODY = 256 * 1024
#: Names every server answers to: this machine's loopback.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
#: Addresses that mean "every interface": the server is then reachable from the network.
WILDCARD = frozenset({"0.0.0.0", "::", ""})

#: The page is self-contained (no CDN, no inline script): everything from this server only.
#: Inline ``style`` attributes stay allowed (the page sets bar widths with them).
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")
#: FastAPI's ``/docs`` and ``/redoc`` pages load their viewer from a CDN with an inline script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
            "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
            "https://cdn.redoc.ly; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")
#: Methods whose body a route reads.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def default_max_body() -> int:
    """The body ceiling: ``$SEATCAST_MAX_BODY`` (bytes) when set to a positive integer, else 256 KB."""
    return int(env_positive("SEATCAST_MAX_BODY", DEFAULT_MAX_BODY))


def host_names(bound: str | None = None, allowed: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` names the server answers to: loopback, the bound address, and ``allowed``.

    Bound to every interface (``0.0.0.0``), this machine's own host name is added too; any
    other name (a LAN address, a DNS name) must be given with ``--allowed-host``.
    """
    names = set(LOOPBACK)
    for name in allowed:
        names.add(_bare_host(name))
    if bound is not None:
        host = _bare_host(bound)
        if host in WILDCARD:
            names.add(socket.gethostname().lower())
        else:
            names.add(host)
    names.discard("")
    return frozenset(names)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine."""
    h = _bare_host(host)
    return h in LOOPBACK or h.startswith("127.")


def _bare_host(value: str) -> str:
    """``Host`` header or address without port or IPv6 brackets, lower case."""
    v = value.strip().lower().rstrip(".")
    if v.startswith("["):
        return v[1:].split("]", 1)[0]
    if v.count(":") == 1:  # name:port (a bare IPv6 address has several colons)
        return v.split(":", 1)[0]
    return v


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every answer carries (the docs pages get a CSP that lets their viewer load)."""
    csp = DOCS_CSP if path.startswith(DOCS_PATHS) else PAGE_CSP
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str], max_body: int) -> None:
        self.app = app
        self.hosts = hosts
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one request, then pass it on with a send that adds the headers (and drops HEAD bodies)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        extra = security_headers(path)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        host = _bare_host(headers.get("host", ""))
        if host not in self.hosts:
            shown = host or "(none)"
            await _refuse(send, 400, extra, f"host {shown!r} is not served here (this server answers to "
                          f"{', '.join(sorted(self.hosts))}; start seatcast serve with --allowed-host "
                          f"{shown} to allow it)")
            return
        method = str(scope.get("method", "GET")).upper()
        head = method == "HEAD"
        if head:  # answered as the GET, without the body
            scope = {**scope, "method": "GET"}
        if method in BODY_METHODS:
            if not _is_json(headers.get("content-type", "")):
                got = headers.get("content-type") or "no Content-Type"
                await _refuse(send, 415, extra, f"request bodies must be JSON (Content-Type: application/json), "
                              f"not {got}")
                return
            body = await self._read_body(headers, receive)
            if body is None:
                await _refuse(send, 413, extra, f"request body is over this server's limit of {self.max_body} "
                              "bytes (start seatcast serve with --max-body, or set SEATCAST_MAX_BODY, to raise it)")
                return
            receive = _replay(body, receive)

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, guarded_send)

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes | None:
        """The whole body, or None once it is known to be over the limit (never read past it)."""
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body already read, then the client's own messages (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, status: int, extra: list[tuple[bytes, bytes]], detail: str) -> None:
    payload = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *extra]})
    await send({"type": "http.response.body", "body": payload})

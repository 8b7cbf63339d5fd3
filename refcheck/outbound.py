"""Requests refcheck makes to addresses others gave it (webhook endpoints), made safe to make.

An endpoint's address is checked when it is registered and again at every request: the name is
resolved once, every address it gives must be public (not private, loopback, link-local, shared or
reserved) unless the operator allows private ones, and the connection goes to the address that was
checked, so a name that changes its answer between the check and the request (DNS rebinding)
reaches nothing new. Redirects are not followed, and every request has a timeout.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

# Enough of an answer to know it arrived; the rest is not read.
MAX_ANSWER_BYTES = 64 * 1024


class Refused(ValueError):
    """An address refcheck will not send to, with the reason in plain words."""


@dataclass(frozen=True)
class Target:
    """Where a request goes: the URL's parts, checked."""

    scheme: str
    host: str
    port: int
    path: str


def parse(url: str, allow_http: bool) -> Target:
    """Check a URL's form: https (or http where allowed), a host, no credentials, no fragment."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise Refused("This is not a valid web address.") from err
    allowed = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in allowed:
        raise Refused("The address must start with https://." if not allow_http
                      else "The address must start with https:// or http://.")
    if not parts.hostname:
        raise Refused("The address needs a host name.")
    if parts.username or parts.password:
        raise Refused("The address must not hold a user name or password; the signature proves the sender.")
    if parts.fragment:
        raise Refused("The address must not have a #fragment.")
    if len(url) > 2000 or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise Refused("The address is too long or holds spaces or control characters.")
    if not url.isascii():
        # A request line is ASCII: write the host in punycode (xn--…) and the path %-encoded.
        raise Refused("Write the address in plain ASCII: the host in punycode, the path %-encoded.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def public_address(host: str, port: int, allow_private: bool) -> str:
    """Resolve a host and return an address to connect to, refusing any that is not public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise Refused("The host name could not be resolved.") from err
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise Refused("The host name could not be resolved.")
    if not allow_private:
        for text in addresses:
            # Every answer must be public: a name that also gives a private one could be steered to it.
            if not is_public(ipaddress.ip_address(text.split("%", 1)[0])):
                raise Refused("The address is private, loopback, link-local or reserved; "
                              "refcheck sends only to public addresses.")
    return addresses[0]


# IPv6 ranges that carry an IPv4 address on to an IPv4 network (NAT64, 6to4, Teredo, the deprecated
# IPv4-compatible and IPv4-translated forms) or are deprecated site-local: Python may call some of them
# global, yet through them a request can reach a private IPv4 host.
_TUNNELS = tuple(ipaddress.ip_network(net) for net in (
    "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96", "::ffff:0:0:0/96", "fec0::/10"))


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Say whether an address is one refcheck may send to: global, not multicast, not a way into IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if any(address in network for network in _TUNNELS):
            return False
    return address.is_global and not address.is_multicast


class _PinnedHTTP(http.client.HTTPConnection):
    """A plain connection to an address already checked, whatever the name resolves to now."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        """Connect to the checked address."""
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """A TLS connection to an address already checked, verifying the certificate for the host name."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        """Connect to the checked address and verify the certificate names the URL's host."""
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_http: bool,
         allow_private: bool) -> int:
    """POST a body and return the answer's status; raise Refused or OSError when nothing was answered."""
    target = parse(url, allow_http)
    address = public_address(target.host, target.port, allow_private)
    connection_type = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_type(target, address, timeout)
    # `timeout` bounds each wait on the socket; this bounds the whole request, so a receiver that
    # answers a byte at a time cannot hold the sender (and the delivery's lease) for ever.
    cutoff = threading.Timer(2 * timeout, _cut, args=(connection,))
    cutoff.daemon = True
    cutoff.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        # A 3xx is returned as it is: following it would send the event somewhere nobody checked.
        answer.read(MAX_ANSWER_BYTES)
        return answer.status
    except http.client.HTTPException as err:
        raise OSError(f"the endpoint's answer was not HTTP ({type(err).__name__})") from err
    finally:
        cutoff.cancel()
        connection.close()


def _cut(connection: http.client.HTTPConnection) -> None:
    """Shut a connection that ran past its time; the request waiting on it fails at once."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)

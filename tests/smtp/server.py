#!/usr/bin/python3
"""SMTP test server for Seatbook's integration tests.

A real SMTP server (Debian 12 ``python3-aiosmtpd`` 1.4.x) that stores every
accepted message in a directory and refuses some recipients on purpose, so the
mail-sending code can be exercised end to end.  See README.md next to this file.

Usage:
    server.py --dir DIR [--port 0] [--security starttls|tls|none]
              [--cert PEM --key PEM] [--user U --password P] [--verbose]

Prints ``READY <port>`` on stdout once listening, then runs until SIGTERM or
SIGINT.  Test-only: never expose it beyond 127.0.0.1.
"""

import argparse
import asyncio
import hmac
import json
import logging
import os
import re
import signal
import ssl
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:  # pragma: no cover
    sys.stderr.write(
        "server.py: cannot import aiosmtpd with %s; install Debian's "
        "python3-aiosmtpd and run this script with /usr/bin/python3\n"
        % sys.executable
    )
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTNAME = "localhost"  # also avoids socket.getfqdn() (a DNS lookup) per connection
SLOW_SECONDS = 3.0
TEMP_FAIL = "451 4.3.0 Try again later"
PERM_FAIL = "550 5.1.1 Mailbox unavailable"

log = logging.getLogger("seatbook-smtp")


def local_part(address):
    """Lower-cased local part of an address (quotes around it dropped)."""
    local = address.rpartition("@")[0] if "@" in address else address
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = local[1:-1]
    return local.lower()


def has_prefix(addresses, prefix):
    return any(local_part(a).startswith(prefix) for a in addresses)


def as_text(value):
    """bytes/str from aiosmtpd -> str (non-UTF-8 bytes kept as escapes)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return value.encode("utf-8", errors="surrogateescape").decode(
        "utf-8", errors="backslashreplace"
    )


class MailStore:
    """Writes NNNN.json then NNNN.eml, each atomically, in arrival order."""

    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        # Never overwrite what an earlier run left in the directory.
        taken = [
            int(m.group(1))
            for m in (re.fullmatch(r"(\d{4,})\.(?:eml|json)", n) for n in os.listdir(directory))
            if m
        ]
        self.last = max(taken, default=0)

    def _write_atomically(self, name, data):
        final = os.path.join(self.directory, name)
        temp = os.path.join(self.directory, ".%s.%d.tmp" % (name, os.getpid()))
        with open(temp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, final)

    def save(self, envelope, session):
        # Runs without awaiting anything, so numbers follow arrival order.
        self.last += 1
        stem = "%04d" % self.last
        meta = {
            "mail_from": as_text(envelope.mail_from),
            "rcpt_tos": [as_text(r) for r in envelope.rcpt_tos],
            # session.auth_data is what our authenticator returned (a LoginPassword);
            # session.login_data is deprecated and logs a warning when read.
            "auth_user": as_text(session.auth_data.login) if session.authenticated else None,
        }
        self._write_atomically(
            stem + ".json", (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        )
        # The .eml is the completion marker: it is renamed into place last.
        self._write_atomically(stem + ".eml", envelope.original_content)
        log.info("stored %s.eml from %r to %r", stem, meta["mail_from"], meta["rcpt_tos"])
        return stem


class Handler:
    def __init__(self, store, auth_enabled):
        self.store = store
        self.auth_enabled = auth_enabled
        self.temp_once_seen = set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # With the 5-argument hook aiosmtpd 1.4 leaves session.host_name to us.
        session.host_name = hostname
        if not self.auth_enabled:
            # No credentials configured: do not advertise AUTH at all.
            responses = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = local_part(address)
        if local.startswith("perm-fail"):
            return PERM_FAIL
        if local.startswith("temp-fail"):
            return TEMP_FAIL
        if local.startswith("temp-once"):
            key = address.lower()
            if key not in self.temp_once_seen:
                self.temp_once_seen.add(key)
                return TEMP_FAIL
        # A handle_RCPT hook must record the recipient itself.
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if has_prefix(envelope.rcpt_tos, "slow"):
            # If the client gives up meanwhile, aiosmtpd cancels us: nothing stored.
            await asyncio.sleep(SLOW_SECONDS)
        stem = self.store.save(envelope, session)
        if has_prefix(envelope.rcpt_tos, "drop"):
            # Stored, but the client never hears back: abort the connection
            # (RST, no reply) and wait for aiosmtpd to cancel this coroutine on
            # connection_lost, so it never gets to push a "250".
            log.info("dropping connection after %s.eml", stem)
            server.transport.abort()
            await asyncio.get_running_loop().create_future()
        return "250 2.0.0 OK queued as " + stem


def make_authenticator(user, password):
    user_b = user.encode("utf-8")
    password_b = password.encode("utf-8")

    def authenticator(server, session, envelope, mechanism, auth_data):
        if (
            isinstance(auth_data, LoginPassword)
            and hmac.compare_digest(auth_data.login, user_b)
            and hmac.compare_digest(auth_data.password, password_b)
        ):
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False and no message -> aiosmtpd answers
        # "535 5.7.8 Authentication credentials invalid".
        return AuthResult(success=False, handled=False)

    return authenticator


def parse_args(argv):
    p = argparse.ArgumentParser(description="SMTP test server (tests only).")
    p.add_argument("--dir", required=True, help="where NNNN.eml / NNNN.json are written")
    p.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    p.add_argument("--security", choices=("starttls", "tls", "none"), default="starttls")
    p.add_argument("--cert", default=os.path.join(HERE, "localhost.pem"))
    p.add_argument("--key", default=os.path.join(HERE, "localhost-key.pem"))
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--verbose", action="store_true", help="log the SMTP dialogue to stderr")
    args = p.parse_args(argv)
    if (args.user is None) != (args.password is None):
        p.error("--user and --password go together")
    return args


async def serve(args):
    loop = asyncio.get_running_loop()
    auth_enabled = args.user is not None

    tls_context = None
    if args.security != "none":
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    smtp_kwargs = dict(
        hostname=HOSTNAME,
        enable_SMTPUTF8=True,
        decode_data=False,
        auth_required=auth_enabled,
        # STARTTLS: AUTH only after the upgrade.  Implicit TLS: aiosmtpd 1.4
        # only counts STARTTLS as "TLS" (it would refuse AUTH with 538 and not
        # advertise it), but there every connection is TLS from the first byte.
        # None: plain-text AUTH is the point.
        auth_require_tls=(args.security == "starttls"),
        loop=loop,
    )
    if args.security == "starttls":
        smtp_kwargs.update(tls_context=tls_context, require_starttls=True)
    if auth_enabled:
        smtp_kwargs["authenticator"] = make_authenticator(args.user, args.password)
    else:
        smtp_kwargs["auth_exclude_mechanism"] = ["PLAIN", "LOGIN"]

    handler = Handler(MailStore(args.dir), auth_enabled)
    server = await loop.create_server(
        lambda: SMTP(handler, **smtp_kwargs),
        host="127.0.0.1",
        port=args.port,
        ssl=tls_context if args.security == "tls" else None,
    )
    port = server.sockets[0].getsockname()[1]

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    sys.stdout.write("READY %d\n" % port)
    sys.stdout.flush()
    log.info("listening on 127.0.0.1:%d (%s), storing in %s", port, args.security, args.dir)

    await stop.wait()
    server.close()
    await server.wait_closed()


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="smtp-test-server: %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Noise from aiosmtpd 1.4 on every connection / successful AUTH:
    # - AUTH required without STARTTLS is deliberate here (none, implicit tls);
    # - smtp_AUTH itself sets the deprecated Session.login_data, which logs.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    noise = ("auth_require_tls == False", "Session.login_data is deprecated")
    logging.getLogger("mail.log").addFilter(
        lambda record: not any(n in record.getMessage() for n in noise)
    )
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

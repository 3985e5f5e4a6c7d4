#!/usr/bin/python3
"""SMTP sink: a test fixture for the notifications service's SMTP adapter.

A real SMTP server (aiosmtpd) on 127.0.0.1 at an OS-chosen port. Every accepted
message is appended to the --record file as one JSON line:
  {"mail_from", "rcpt_tos", "tls", "subject", "body", "headers"}
Optionally offers STARTTLS and rejects chosen recipients with 550. Runs until
SIGTERM/SIGINT. Needs Debian's python3-aiosmtpd, so run it with /usr/bin/python3.

  smtp_sink.py --make-cert DIR      # writes DIR/cert.pem and DIR/key.pem, exits
  smtp_sink.py --record R --port-file P [--starttls CERT KEY] [--reject RCPT]...
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import subprocess

from aiosmtpd.smtp import SMTP


def make_cert(directory):
    os.makedirs(directory, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", os.path.join(directory, "key.pem"),
         "-out", os.path.join(directory, "cert.pem")],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def write_port_file(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(path + ".tmp", path)


class RecordingHandler:
    def __init__(self, record_path, rejected):
        self.record_path = record_path
        self.rejected = {r.lower() for r in rejected}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content,
                                       policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            # aiosmtpd sets session.ssl (the TLS transport's extra info)
            # only once a STARTTLS handshake has completed on this connection.
            "tls": session.ssl is not None,
            "subject": str(msg.get("Subject", "")),
            "body": (part.get_content().replace("\r\n", "\n").rstrip()
                     if part is not None else ""),
            "headers": {name: str(value) for name, value in msg.items()},
        }
        with open(self.record_path, "a") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
        return "250 Message accepted for delivery"


async def serve(args):
    tls_context = None
    if args.starttls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(*args.starttls)
    handler = RecordingHandler(args.record, args.reject)
    loop = asyncio.get_running_loop()
    # Port 0 on the listening socket itself: the OS picks a free port, no race.
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="localhost", tls_context=tls_context,
                     require_starttls=args.require_starttls),
        host="127.0.0.1", port=0)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    write_port_file(args.port_file, server.sockets[0].getsockname()[1])
    await stop.wait()
    server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--make-cert", metavar="DIR",
                        help="write a self-signed cert.pem/key.pem for localhost"
                             " and 127.0.0.1 into DIR, then exit")
    parser.add_argument("--record", metavar="FILE",
                        help="append one JSON line per received message")
    parser.add_argument("--port-file", metavar="FILE",
                        help="write the bound port here once listening")
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"),
                        help="offer STARTTLS with this certificate and key")
    parser.add_argument("--require-starttls", action="store_true",
                        help="refuse mail commands before STARTTLS")
    parser.add_argument("--reject", action="append", default=[], metavar="RCPT",
                        help="answer 550 5.1.1 for this recipient (repeatable)")
    args = parser.parse_args()
    if args.make_cert:
        make_cert(args.make_cert)
        return
    if not (args.record and args.port_file):
        parser.error("--record and --port-file are required")
    if args.require_starttls and not args.starttls:
        parser.error("--require-starttls needs --starttls")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""HTTP sink: a test fixture for the notifications service's webhook adapter.

A real HTTP/1.1 endpoint (stdlib only, keep-alive capable) on 127.0.0.1 at an
OS-chosen port. Every request is appended to the --record file as one JSON line:
  {"method", "path", "headers", "body"[, "signature_valid"]}
The status answered follows --statuses, counted separately for each distinct
value of the Omnibus-Delivery-Id header, so retries of one delivery can be made
to fail and then succeed. Runs until SIGTERM/SIGINT.

  http_sink.py --record R --port-file P [--statuses 500,500,200]
"""
import argparse
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        body = self.read_body()
        delivery_id = self.headers.get("Omnibus-Delivery-Id")  # case-insensitive
        record = {"method": self.command, "path": self.path,
                  "headers": dict(self.headers.items()),
                  "body": body.decode("utf-8", "replace")}
        if self.server.secret is not None:
            record["signature_valid"] = self.signature_valid(body)
        server = self.server
        with server.lock:
            index = server.seen[delivery_id]
            server.seen[delivery_id] += 1
            with open(server.record_path, "a") as f:
                f.write(json.dumps(record) + "\n")
                f.flush()
        status = server.statuses[min(index, len(server.statuses) - 1)]
        payload = json.dumps({"status": status}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def signature_valid(self, body):
        """Checks Omnibus-Signature: v1=hex(HMAC-SHA256(key, "<Omnibus-Timestamp>." + body))."""
        timestamp = self.headers.get("Omnibus-Timestamp", "")
        expected = hmac.new(self.server.secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.headers.get("Omnibus-Signature", ""), "v1=" + expected)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:  # last chunk: skip trailers up to the blank line
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, format, *args):
        pass


def write_port_file(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.replace(path + ".tmp", path)


def parse_statuses(text):
    try:
        statuses = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of ints: {text}")
    return statuses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", required=True, metavar="FILE",
                        help="append one JSON line per request")
    parser.add_argument("--port-file", required=True, metavar="FILE",
                        help="write the bound port here once listening")
    parser.add_argument("--statuses", type=parse_statuses, default=[200],
                        metavar="S1,S2,...",
                        help="statuses for the 1st, 2nd, ... request of each "
                             "Omnibus-Delivery-Id; the last repeats (default 200)")
    parser.add_argument("--secret", metavar="KEY",
                        help="check each request's signature with this key and "
                             "record signature_valid")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), SinkHandler)
    server.daemon_threads = True
    server.record_path, server.statuses = args.record, args.statuses
    server.seen, server.lock = Counter(), threading.Lock()
    server.secret = args.secret.encode() if args.secret else None

    def stop(signum, frame):
        raise SystemExit(0)  # unwinds serve_forever in the main thread

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with server:
        write_port_file(args.port_file, server.server_address[1])
        server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

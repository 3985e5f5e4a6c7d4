#!/usr/bin/env python3
"""Drives the gateway's customer console in headless Chromium over the DevTools protocol.

A test fixture: it opens the console URL (which looks a customer up by itself), prints
READY once the page follows the customer live, waits until the cart shows a line for
--wait-sku (added meanwhile from another channel, without reloading the page), saves a
screenshot, prints SEEN and exits 0; exits 1 with the page's text after --timeout seconds.

  console_browser.py --url URL --wait-sku SKU --screenshot FILE [--timeout 30]
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # websocket-client, from PyPI


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Page:
    """One page target, spoken to with Runtime.evaluate and friends."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait(self, expression, deadline):
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.1)
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--wait-sku", required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("no chromium on PATH (apt-get install chromium)", flush=True)
        return 2
    port, profile = free_port(), tempfile.mkdtemp(prefix="omnibus-chromium-")
    chromium = subprocess.Popen(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1100,620",
         f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + args.timeout
        targets = []
        while time.monotonic() < deadline and not targets:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as response:
                    targets = [t for t in json.load(response) if t.get("type") == "page"]
            except OSError:
                time.sleep(0.2)
        if not targets:
            print("chromium did not open its DevTools port", flush=True)
            return 1
        page = Page(targets[0]["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Page.navigate", url=args.url)
        if not page.wait("document.getElementById('status') && document.getElementById('status').textContent === 'live'", deadline):
            print("the console never went live:", page.evaluate("document.body && document.body.innerText"), flush=True)
            return 1
        # A mark on this page: still there at the end means the page was never reloaded.
        page.evaluate("window.__omnibusMark = 'same page'")
        print("READY", flush=True)
        selector = json.dumps(f'#cart [data-sku="{args.wait_sku}"]')
        if not page.wait(f"document.querySelector({selector}) !== null", time.monotonic() + args.timeout):
            print("the cart line never appeared:", page.evaluate("document.body.innerText"), flush=True)
            return 1
        shot = page.call("Page.captureScreenshot", format="png")
        with open(args.screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        mark = page.evaluate("window.__omnibusMark") or "a reloaded page"
        print("SEEN", page.evaluate(f"document.querySelector({selector}).textContent"), "on the", mark, flush=True)
        return 0
    finally:
        chromium.kill()
        chromium.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

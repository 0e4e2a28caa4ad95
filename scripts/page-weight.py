#!/usr/bin/env python3
"""First load of each web page, measured in headless Chromium: bytes over the wire (compressed)
for the page's own files and for its API calls, and the times until DOMContentLoaded, load and
the page's main content.

Usage: scripts/page-weight.py BASE_URL STAFF_EMAIL STAFF_PASSWORD VOLUNTEER_EMAIL VOLUNTEER_PASSWORD
                              CONTACT_EMAIL CONTACT_PASSWORD
(the accounts `campaign serve --demo` prints). Needs /usr/bin/chromium and /usr/bin/chromedriver.
Each page gets a fresh browser profile (nothing cached, no service worker yet).
"""
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PAGES = [
    ("public", "/", None, "#thermometer[data-raised-cents]:not([data-raised-cents=''])"),
    ("volunteer", "/volunteer", "volunteer", "button[data-product]"),
    ("contact", "/contact", "contact", "#materials tr[data-code]"),
    ("staff", "/staff", "staff", "#map svg path[data-nis]"),
]


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"null")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(base, path, session, ready_css):
    port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wd = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call("GET", f"{wd}/status")
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as profile:
            caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                         "--window-size=1280,900"]}}}}
            sid = call("POST", f"{wd}/session", caps)["value"]["sessionId"]
            s = f"{wd}/session/{sid}"
            if session:
                # A signed-in browser: the session is put where the pages keep it, from a page that loads nothing.
                call("POST", f"{s}/url", {"url": f"{base}/healthz"})
                call("POST", f"{s}/execute/sync", {"script": "localStorage.setItem('campaign.session', arguments[0]);", "args": [json.dumps(session)]})
            call("POST", f"{s}/url", {"url": f"{base}{path}"})
            script = """
              const css = arguments[0];
              const done = arguments[arguments.length - 1];
              const started = performance.now();
              (function wait() {
                if (document.querySelector(css)) return done(performance.now());
                if (performance.now() - started > 30000) return done(-1);
                setTimeout(wait, 20);
              })();"""
            ready_ms = call("POST", f"{s}/execute/async", {"script": script, "args": [ready_css]})["value"]
            stats = call("POST", f"{s}/execute/sync", {"script": """
              const nav = performance.getEntriesByType('navigation')[0];
              const own = { bytes: nav.transferSize, decoded: nav.decodedBodySize, files: 1 };
              const api = { bytes: 0, decoded: 0, calls: 0 };
              for (const r of performance.getEntriesByType('resource')) {
                const path = new URL(r.name).pathname;
                if (path.startsWith('/api/')) { api.bytes += r.transferSize; api.decoded += r.decodedBodySize; api.calls += 1; }
                else if (path !== '/shell.json') { own.bytes += r.transferSize; own.decoded += r.decodedBodySize; own.files += 1; }
              }
              return { own, api, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };""", "args": []})["value"]
            call("DELETE", s)
            stats["ready"] = ready_ms
            return stats
    finally:
        driver.kill()


def main():
    if len(sys.argv) != 8:
        print(__doc__)
        sys.exit(2)
    base = sys.argv[1].rstrip("/")
    accounts = {"staff": sys.argv[2:4], "volunteer": sys.argv[4:6], "contact": sys.argv[6:8]}
    print("| page | own files (gzip) | API answers | DOMContentLoaded | load | main content shown |")
    print("|---|---|---|---|---|---|")
    for name, path, who, ready in PAGES:
        session = None
        if who:
            email, password = accounts[who]
            pair = call("POST", f"{base}/api/v1/auth/login", {"email": email, "password": password})
            req = urllib.request.Request(f"{base}/api/v1/me", headers={"authorization": f"Bearer {pair['access_token']}"})
            me = json.loads(urllib.request.urlopen(req).read())
            session = {"access_token": pair["access_token"], "refresh_token": pair["refresh_token"],
                       "expires_at": int(time.time() * 1000) + pair["expires_in"] * 1000, "me": me}
        st = measure(base, path, session, ready)
        own, api = st["own"], st["api"]
        print(f"| {name} `{path}` | {own['bytes'] / 1024:.1f} KB in {own['files']} files ({own['decoded'] / 1024:.0f} KB unpacked) "
              f"| {api['bytes'] / 1024:.1f} KB in {api['calls']} calls | {st['dcl']:.0f} ms | {st['load']:.0f} ms | {st['ready']:.0f} ms |")


if __name__ == "__main__":
    main()

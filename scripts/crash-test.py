#!/usr/bin/env python3
"""Crash test: kill -9 the server while volunteers log sales, restart it, and check that

  * every sale that got a 2xx exists exactly once,
  * every sale whose answer was lost in the crash can be retried with its Idempotency-Key after
    the restart and then exists exactly once,
  * every stored sale reaches a webhook receiver (that fails one delivery in ten on purpose) as a
    signed `entry.created` event, and no event announces a sale that was not stored, and
  * `campaign verify-totals` finds the kept totals equal to the ledger.

Usage: scripts/crash-test.py [sqlite|postgres]...   (both when none is given)

The `campaign` binary comes from $CAMPAIGN_BIN, else $CARGO_TARGET_DIR/debug/campaign, else
target/debug/campaign (build it first: `cargo build --bin campaign`). PostgreSQL is reached at
$CRASH_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432); each run creates and drops a
database of its own. Without PostgreSQL the PostgreSQL run is skipped with a reason, except when
CI=true, where it fails. Only the Python standard library is used.
"""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from campaign_server import Server, binary, call, free_port

ROUNDS = int(os.environ.get("CRASH_TEST_ROUNDS", "3"))
CLIENTS = int(os.environ.get("CRASH_TEST_CLIENTS", "8"))
# Acknowledged sales to wait for in a round before the kill.
ACKS_BEFORE_KILL = int(os.environ.get("CRASH_TEST_ACKS", "150"))
GROUPS = 16


class Receiver:
    """A webhook receiver on 127.0.0.1 that checks Standard Webhooks signatures, keeps the entry ids
    of `entry.created` events, and answers 500 to one delivery in ten."""

    def __init__(self):
        self.secret = None
        self.entries = Counter()  # entry id -> deliveries received
        self.bad_signatures = 0
        self.failed_on_purpose = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                ok = receiver.verified(self.headers, body)
                fail = ok and random.random() < 0.1
                with receiver.lock:
                    if not ok:
                        receiver.bad_signatures += 1
                    elif fail:
                        receiver.failed_on_purpose += 1
                    else:
                        event = json.loads(body)
                        if event["type"] == "entry.created":
                            receiver.entries[event["data"]["id"]] += 1
                self.send_response(401 if not ok else 500 if fail else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def verified(self, headers, body: bytes) -> bool:
        if not self.secret:
            return False
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        return any(sig == f"v1,{expected}" for sig in (headers.get("webhook-signature") or "").split())


class Load:
    """Clients logging sales, each with its own Idempotency-Key, until stopped."""

    def __init__(self, base: str, token: str, groups: list, year: int):
        self.base, self.token, self.groups, self.year = base, token, groups, year
        self.acked = {}  # note -> (group, key, body, entry id)
        self.unknown = {}  # note -> (group, key, body): no answer (the server died mid-request)
        self.refused = Counter()
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def client(self, n: int) -> None:
        i = 0
        while not self.stop.is_set():
            group = self.groups[(n + i) % len(self.groups)]
            i += 1
            note = f"crash-test {uuid.uuid4()}"
            key = str(uuid.uuid4())
            body = {"kind": "sale", "product_code": "cards-6", "quantity": 1 + i % 3,
                    "payment_method": "cash", "occurred_at": f"{self.year}-11-10T10:{i % 60:02d}:00Z",
                    "note": note}
            try:
                status, answer = call(self.base, "POST", f"/api/v1/groups/{group}/entries", self.token, body,
                                      {"idempotency-key": key}, timeout=5)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                with self.lock:
                    self.unknown[note] = (group, key, body)
                time.sleep(0.02)
                continue
            with self.lock:
                if 200 <= status < 300:
                    self.acked[note] = (group, key, body, answer["id"])
                else:
                    self.refused[status] += 1

    def run_until_killed(self, server: Server) -> None:
        self.stop.clear()
        threads = [threading.Thread(target=self.client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        before = len(self.acked)
        deadline = time.time() + 120
        while len(self.acked) - before < ACKS_BEFORE_KILL:
            if time.time() > deadline or self.refused:
                self.stop.set()
                for t in threads:
                    t.join()
                raise SystemExit(f"sales are not being acknowledged: {len(self.acked) - before} in 120 s, "
                                 f"refused {dict(self.refused)}; see {server.log}")
            time.sleep(0.01)
        server.kill9()
        # Requests in flight at the kill end without an answer ("unknown"); no new ones start.
        self.stop.set()
        for t in threads:
            t.join()


def entries_of(base: str, token: str, group: str) -> list:
    items, cursor = [], None
    while True:
        path = f"/api/v1/groups/{group}/entries?limit=200" + (f"&cursor={cursor}" if cursor else "")
        status, page = call(base, "GET", path, token)
        assert status == 200, (status, page)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def run(backend: str) -> bool:
    work = Path(tempfile.mkdtemp(prefix=f"crash-{backend}-"))
    env = dict(os.environ, CAMPAIGN_JWT_SECRET=secrets.token_urlsafe(48), CAMPAIGN_WRITE_RATE_LIMIT="0",
               RUST_LOG="warn", CAMPAIGN_WEBHOOK_ALLOW_PRIVATE="true", CAMPAIGN_WEBHOOK_FIRST_RETRY_SECS="1",
               CAMPAIGN_WEBHOOK_TIMEOUT_SECS="2")
    dropdb = None
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite://{work}/crash.db?mode=rwc"
    else:
        server_url = os.environ.get("CRASH_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
        name = f"crash_test_{os.getpid()}"
        try:
            subprocess.run(["psql", f"{server_url}/postgres", "-qc", f"CREATE DATABASE {name}"],
                           check=True, capture_output=True, timeout=30)
        except (subprocess.CalledProcessError, FileNotFoundError, subprocess.TimeoutExpired) as e:
            reason = getattr(e, "stderr", b"") or str(e)
            if os.environ.get("CI") == "true":
                print(f"FAIL postgres: PostgreSQL is unreachable under CI: {reason!r}")
                return False
            print(f"SKIP postgres: PostgreSQL is unreachable ({reason!r}); set CRASH_TEST_POSTGRES")
            return True
        env["DATABASE_URL"] = f"{server_url}/{name}"
        dropdb = lambda: subprocess.run(["psql", f"{server_url}/postgres", "-qc",  # noqa: E731
                                         f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
    server = Server(env, free_port(), work / "server.log")
    try:
        printed = server.start("--demo", "--demo-entries", "1000")
        match = re.search(r"staff@demo\.11\.be\s+password (\S+)", printed)
        assert match, f"no staff account printed:\n{printed}"
        status, tokens = call(server.base, "POST", "/api/v1/auth/login", None,
                              {"email": "staff@demo.11.be", "password": match.group(1)})
        assert status == 200, tokens
        token = tokens["access_token"]
        status, groups = call(server.base, "GET", f"/api/v1/groups?limit={GROUPS}", token)
        assert status == 200, groups
        groups = [g["id"] for g in groups["items"]]
        status, campaigns = call(server.base, "GET", "/api/v1/campaigns", token)
        last_year = min(c["year"] for c in campaigns["items"])
        receiver = Receiver()
        status, endpoint = call(server.base, "POST", "/api/v1/webhooks", token,
                                {"url": receiver.url, "events": ["entry.created"]})
        assert status == 201, endpoint
        receiver.secret = endpoint["secret"]

        load = Load(server.base, token, groups, last_year)
        for round_ in range(1, ROUNDS + 1):
            load.run_until_killed(server)
            server.start()
            print(f"{backend}: round {round_}: killed with {len(load.acked)} sales acknowledged so far, "
                  f"{len(load.unknown)} without an answer; restarted")
        def stored_sales():
            stored, ids = Counter(), {}
            for group in groups:
                for entry in entries_of(server.base, token, group):
                    if (entry.get("note") or "").startswith("crash-test "):
                        stored[entry["note"]] += 1
                        ids[entry["note"]] = entry["id"]
            return stored, ids

        # Sales whose answer was lost: some were committed before the kill, the others not (the
        # server was dying or dead). Retried with the same key, each is stored exactly once.
        before_retry, _ = stored_sales()
        committed_unanswered = sum(1 for note in load.unknown if before_retry[note] == 1)
        for note, (group, key, body) in list(load.unknown.items()):
            status, answer = call(server.base, "POST", f"/api/v1/groups/{group}/entries", token, body,
                                  {"idempotency-key": key})
            assert status in (200, 201), (status, answer)
            load.acked[note] = (group, key, body, answer["id"])
        stored, ids = stored_sales()
        problems = []
        for note, (_, _, _, entry_id) in load.acked.items():
            if stored[note] != 1:
                problems.append(f"{note}: acknowledged, stored {stored[note]} times")
            elif ids[note] != entry_id:
                problems.append(f"{note}: acknowledged as {entry_id}, stored as {ids[note]}")
        problems += [f"{n} sales answered {status}" for status, n in load.refused.items()]
        strays = [n for n in stored if n not in load.acked]
        problems += [f"{n}: stored but never acknowledged nor retried" for n in strays]
        # Every stored sale reaches the receiver (retries included), and nothing else does.
        stored_ids = {ids[note] for note in stored}
        deadline = time.time() + 120
        while time.time() < deadline:
            with receiver.lock:
                missing = stored_ids - set(receiver.entries)
            if not missing:
                break
            time.sleep(0.2)
        with receiver.lock:
            announced = set(receiver.entries)
            duplicates = sum(n - 1 for n in receiver.entries.values())
            bad, failed = receiver.bad_signatures, receiver.failed_on_purpose
        problems += [f"entry {i}: stored, its event never delivered" for i in sorted(stored_ids - announced)[:20]]
        problems += [f"entry {i}: announced but not stored" for i in sorted(announced - stored_ids)[:20]]
        if bad:
            problems.append(f"{bad} deliveries with a bad signature")
        server.stop()
        verify = subprocess.run([str(binary()), "verify-totals"], env=env, capture_output=True, text=True)
        if verify.returncode != 0:
            problems.append(f"verify-totals failed:\n{verify.stdout}{verify.stderr}")
        print(f"{backend}: {len(load.acked)} sales acknowledged ({len(load.unknown)} of them only on a retry after "
              f"a crash, {committed_unanswered} of those committed before the kill), "
              f"refused {dict(load.refused) or 'none'}, "
              f"{sum(stored.values())} stored; verify-totals: {verify.stdout.strip()}")
        print(f"{backend}: webhooks: {len(announced & stored_ids)} of {len(stored_ids)} stored sales announced, "
              f"{failed} deliveries failed on purpose and retried, {duplicates} sent again after a crash "
              f"(same webhook-id), {bad} bad signatures")
        for p in problems[:20]:
            print(f"  PROBLEM {p}")
        return not problems
    finally:
        server.stop()
        if dropdb:
            dropdb()


def main() -> int:
    backends = sys.argv[1:] or ["sqlite", "postgres"]
    if not binary().exists():
        print(f"no binary at {binary()}: run `cargo build --bin campaign` first")
        return 2
    ok = True
    for backend in backends:
        if backend not in ("sqlite", "postgres"):
            print(f"unknown backend {backend}: give sqlite and/or postgres")
            return 2
        ok = run(backend) and ok
    print("crash test passed" if ok else "crash test FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The load benchmark, in one command: scripts/load-bench.py

Builds the release binaries, then on PostgreSQL (fresh databases, dropped afterwards):

  (a) sale logging over HTTP at 1, 8 and 32 clients (`loadgen sales`), next to pgbench running
      bench/sale.pgbench -- the SQL statements the server runs for one sale -- and the 2026-11-27
      statements (bench/sale-2026-11-27.pgbench, the yardstick) with as many clients on the same
      database, and the ratios; offline batches of 500 at 1 and 8 clients (`loadgen batches`);
  (b) the latency of every totals endpoint with 10,000 and with 1,000,000 ledger entries (loaded
      by `campaign demo`);
  (c) the boundary lookup (`cargo bench -p campaign-domain --bench lookup`);
  (d) the rate limits under a flood: one account floods writes and one address floods sign-ins
      while a volunteer logs a sale every 100 ms and signs in every second.

Writes bench/reports/load-<date>.md and prints it. Settings: LOAD_BENCH_POSTGRES (default
postgres://postgres@127.0.0.1:5432), LOAD_BENCH_SECONDS (per client count, default 10),
LOAD_BENCH_BIG (entries of the large totals run, default 1000000), LOAD_BENCH_ONLY=totals (only
part (b), into bench/reports/totals-<date>.md: a few minutes instead of half an hour).
"""

import datetime
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from campaign_server import ROOT, Server, binary, free_port

PG = os.environ.get("LOAD_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SECONDS = int(os.environ.get("LOAD_BENCH_SECONDS", "10"))
BIG = int(os.environ.get("LOAD_BENCH_BIG", "1000000"))
ONLY_TOTALS = os.environ.get("LOAD_BENCH_ONLY", "") == "totals"
CLIENTS = [1, 8, 32]
# Client counts of the offline-batch run (each also measured with single entries).
BATCH_CLIENTS = [1, 8]
WORK = Path(tempfile.mkdtemp(prefix="load-bench-"))


def sh(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def psql(sql: str, db: str = "postgres") -> str:
    return sh("psql", f"{PG}/{db}", "-Atqc", sql).stdout.strip()


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Database:
    """A fresh PostgreSQL database with the demo loaded, and a server on it."""

    def __init__(self, name: str, entries: int, rate_limit: str = "0"):
        self.name = f"load_bench_{name}_{os.getpid()}"
        self.server = None
        psql(f"CREATE DATABASE {self.name}")
        self.env = dict(os.environ, DATABASE_URL=f"{PG}/{self.name}", CAMPAIGN_JWT_SECRET=secrets.token_urlsafe(48),
                        CAMPAIGN_WRITE_RATE_LIMIT=rate_limit, CAMPAIGN_READ_RATE_LIMIT=rate_limit,
                        RUST_LOG="warn,campaign_api::commands::demo=info")
        started = time.time()
        demo = subprocess.run([str(binary(profile="release")), "demo", "--demo-entries", str(entries)],
                              env=self.env, capture_output=True, text=True, check=True)
        self.load_seconds = time.time() - started
        self.accounts = dict(re.findall(r"(\S+@demo\.11\.be)\s+password (\S+)", demo.stdout))
        years = [int(y) for y in re.findall(r"campaigns \[(\d+), (\d+)\]", demo.stdout)[0]]
        self.last_year, self.this_year = years
        self.entries = int(psql("SELECT count(*) FROM ledger_entry", self.name))

    def serve(self, **env) -> Server:
        if self.server:
            self.server.stop()
        self.server = Server(dict(self.env, **env), free_port(), WORK / f"{self.name}.log", profile="release")
        self.server.start()
        return self.server

    def loadgen(self, *args: str) -> list:
        out = sh(str(binary("loadgen", "release")), "--addr", f"127.0.0.1:{self.server.port}",
                 "--email", "staff@demo.11.be", *args,
                 env=dict(os.environ, LOADGEN_PASSWORD=self.accounts["staff@demo.11.be"],
                          LOADGEN_VOLUNTEER_PASSWORD=self.accounts["volunteer@demo.11.be"]))
        return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]

    def drop(self) -> None:
        if self.server:
            self.server.stop()
        psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def drop(name: str, db) -> None:
    """Stops the server and drops the database, also when the set-up failed half-way."""
    if db is not None:
        db.drop()
    else:
        psql(f"DROP DATABASE IF EXISTS load_bench_{name}_{os.getpid()} WITH (FORCE)")


def verify_totals(db: Database) -> str:
    """`campaign verify-totals` on the database: pgbench's sales must leave totals as the server does."""
    out = subprocess.run([str(binary(profile="release")), "verify-totals"], env=db.env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench/sale.pgbench no longer does what the server does:\n{out.stdout}{out.stderr}")
    return out.stdout.strip()


# The yardstick: the statements of one sale as the server ran them on 2026-11-27, kept unchanged,
# and the statements it runs now (re-captured the same way after every change to the sale path).
YARDSTICK = "sale-2026-11-27.pgbench"
NOW = "sale.pgbench"


def pgbench(db: Database, clients: int, script: str = NOW) -> dict:
    staff = psql("SELECT id FROM app_user WHERE email = 'staff@demo.11.be'", db.name)
    out = sh("pgbench", "-n", "-M", "prepared", "-f", str(ROOT / "bench" / script),
             "-D", f"staff={staff}", "-D", f"year={db.last_year}", "-c", str(clients),
             "-j", str(min(clients, os.cpu_count() or 2)), "-T", str(SECONDS), f"{PG}/{db.name}").stdout
    tps = float(re.search(r"tps = ([\d.]+) \(without", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    return {"per_second": tps, "latency_ms": latency}


def lookup_ns() -> str:
    """Nanoseconds per lookup, from the median throughput criterion reports (10,000 points a batch)."""
    out = subprocess.run(["cargo", "bench", "-p", "campaign-domain", "--bench", "lookup"], cwd=ROOT,
                         capture_output=True, text=True)
    found = re.search(r"thrpt:\s+\[[\d.]+ \S+ ([\d.]+) (\w)elem/s", out.stdout)
    if not found:
        return "not measured (see `cargo bench -p campaign-domain --bench lookup`)"
    per_second = float(found.group(1)) * {"K": 1e3, "M": 1e6, "G": 1e9}.get(found.group(2), 1.0)
    return f"{1e9 / per_second:.0f} ns"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, " \
           f"PostgreSQL {psql('SHOW server_version')}"


class Done(Exception):
    """Ends the first database's part early (LOAD_BENCH_ONLY=totals)."""


def main() -> int:
    log("building the release binaries")
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "campaign-api", "--bin", "campaign",
                    "-p", "campaign-tests", "--bin", "loadgen"], cwd=ROOT, check=True)
    try:
        psql("SELECT 1")
    except (subprocess.CalledProcessError, FileNotFoundError) as e:
        print(f"PostgreSQL is unreachable at {PG}: {e}; set LOAD_BENCH_POSTGRES")
        return 2
    report = [f"# Load benchmark, {datetime.date.today()}", "",
              f"Machine: {machine()}. Server, load generator, pgbench and PostgreSQL share it.",
              f"Command: `scripts/load-bench.py` ({SECONDS} s per client count). Release build; "
              "the server with its defaults (pool of 10 connections), rate limits off except in the flood.", ""]

    if ONLY_TOTALS:
        report[3] = "Command: `LOAD_BENCH_ONLY=totals scripts/load-bench.py` (part (b) only). Release build."
    small = None
    try:
        small = Database("small", 10_000)
        log(f"demo with {small.entries} entries loaded in {small.load_seconds:.1f} s")
        small.serve()
        totals_small = small.loadgen("totals", "--year", str(small.this_year))
        if ONLY_TOTALS:
            raise Done
        log("sales over HTTP")
        sales = small.loadgen("sales", "--year", str(small.last_year), "--seconds", str(SECONDS),
                              "--clients", ",".join(map(str, CLIENTS)))
        log("offline batches of 500 over HTTP")
        batches = small.loadgen("batches", "--year", str(small.last_year), "--seconds", str(SECONDS),
                                "--clients", ",".join(map(str, BATCH_CLIENTS)))
        small.server.stop()
        log("pgbench with the same statements (now), and with the 2026-11-27 statements (the yardstick)")
        bench = {n: pgbench(small, n, NOW) for n in CLIENTS}
        yardstick = {n: pgbench(small, n, YARDSTICK) for n in CLIENTS}
        log(f"after pgbench, verify-totals: {verify_totals(small)}")
        report += ["## (a) Sale logging: HTTP against pgbench running the same SQL", "",
                   "Each HTTP client logs sales for its own group, each with its own `Idempotency-Key` "
                   "(token check, validation, pricing, idempotency claim, entry, 7 rollup rows, audit, "
                   "NOTIFY, stored answer, in one transaction). pgbench runs `bench/sale.pgbench`: "
                   "those statements, captured from PostgreSQL's statement log, with as many clients; afterwards "
                   "`campaign verify-totals` must find the totals equal to the ledger, so the script does the "
                   "server's work. The server keeps its pool of 10 connections; pgbench opens one per client. "
                   f"The yardstick is `bench/{YARDSTICK}`, the statements of 2026-11-27, kept unchanged.", "",
                   "| clients | HTTP sales/s | p50 ms | p99 ms | pgbench now tx/s | HTTP ÷ now "
                   "| pgbench 2026-11-27 tx/s | HTTP ÷ 2026-11-27 |",
                   "|---|---|---|---|---|---|---|---|"]
        for row in sales:
            n, r = row["clients"], row["result"]
            b, y = bench[n], yardstick[n]
            report.append(f"| {n} | {r['per_second']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                          f"{b['per_second']:.0f} | {r['per_second'] / b['per_second']:.2f} | "
                          f"{y['per_second']:.0f} | {r['per_second'] / y['per_second']:.2f} |")
        report.append("")
        single = {row["clients"]: row["result"]["per_second"] for row in sales}
        report += ["### Offline batches", "",
                   "Each client uploads batches of 500 sales for its own group (each entry with its own "
                   "`client_id`; all must come back `created`), against single-entry logging with as many clients.",
                   "", "| clients | batches/s | p50 ms a batch | p99 ms a batch | entries/s | single sales/s "
                   "| batch ÷ single |", "|---|---|---|---|---|---|---|"]
        for row in batches:
            n, r = row["clients"], row["result"]
            report.append(f"| {n} | {r['per_second']:.1f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                          f"{r['entries_per_second']:.0f} | {single[n]:.0f} | "
                          f"{r['entries_per_second'] / single[n]:.1f} |")
        report.append("")
        log("flood with the default rate limits")
        # loadgen sends each client's address in X-Forwarded-For, from a proxy on loopback.
        small.serve(CAMPAIGN_WRITE_RATE_LIMIT="1200", CAMPAIGN_TRUSTED_PROXIES="127.0.0.1/32")
        flood = small.loadgen("flood", "--year", str(small.last_year), "--seconds", str(SECONDS),
                              "--volunteer-email", "volunteer@demo.11.be")[0]["result"]
        fw, fl, ps, pl = flood["flood_writes"], flood["flood_logins"], flood["polite_sales"], flood["polite_logins"]
        report += ["## (d) Abuse limits under a flood", "",
                   f"For {flood['seconds']} s, 8 connections flood sales with one staff token (limit 1,200 writes "
                   "a minute per account) and 8 connections flood sign-ins with wrong passwords from one address, "
                   "while a volunteer logs a sale every 100 ms and signs in every second from another address.", "",
                   "| who | attempts | accepted | refused (429) | p50 ms | p99 ms |", "|---|---|---|---|---|---|",
                   f"| flooding writer | {fw['accepted'] + fw['limited']} | {fw['accepted']} | {fw['limited']} "
                   + (f"(Retry-After {fw['retry_after_min_s']}–{fw['retry_after_max_s']} s)" if fw["limited"] else "")
                   + " | | |",
                   f"| flooding sign-ins | {fl['attempts']} | 0 | {fl['limited']} | | |",
                   f"| volunteer's sales | {ps['count'] + ps['refused']} | {ps['count']} | {ps['refused']} | "
                   f"{ps['p50_ms']:.2f} | {ps['p99_ms']:.2f} |",
                   f"| volunteer's sign-ins | {pl['count'] + pl['refused']} | {pl['count']} | {pl['refused']} | "
                   f"{pl['p50_ms']:.2f} | {pl['p99_ms']:.2f} |", ""]
    except Done:
        pass
    finally:
        drop("small", small)

    big = None
    try:
        big = Database("big", BIG)
        log(f"demo with {big.entries} entries loaded in {big.load_seconds:.1f} s")
        big.serve()
        totals_big = big.loadgen("totals", "--year", str(big.this_year))
    finally:
        drop("big", big)
    report += ["## (b) Totals latency", "",
               f"200 sequential requests per endpoint (after 20 unmeasured), staff token, for the campaign "
               f"{small.this_year}; each database holds two campaigns, this year's a little over half the entries. "
               f"`campaign demo` loaded {small.entries:,} entries in {small.load_seconds:.1f} s and "
               f"{big.entries:,} in {big.load_seconds:.1f} s.", "",
               "| endpoint | p50 ms (10k) | p99 ms (10k) | p50 ms (1M) | p99 ms (1M) |", "|---|---|---|---|---|"]
    for s_row, b_row in zip(totals_small, totals_big):
        s, b = s_row["result"], b_row["result"]
        path = s_row["path"].replace(str(small.this_year), "{year}")
        report.append(f"| `{path}` | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {b['p50_ms']:.2f} | {b['p99_ms']:.2f} |")
    report.append("")
    if not ONLY_TOTALS:
        log("boundary lookup")
        report += ["## (c) Boundary lookup", "",
                   f"Point to municipality over the real boundaries (304 municipalities): **{lookup_ns()}** per "
                   "lookup (criterion, `cargo bench -p campaign-domain --bench lookup`).", ""]

    kind = "totals" if ONLY_TOTALS else "load"
    out = ROOT / "bench" / "reports" / f"{kind}-{datetime.date.today()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(report))
    print("\n".join(report))
    log(f"report written to {out.relative_to(ROOT)}")
    shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Runs schemathesis against the API's own OpenAPI document: every operation gets generated valid
# and invalid requests, signed in as the demo's staff account, and every answer must be
#   - no 5xx                                           (not_a_server_error)
#   - a documented status code                         (status_code_conformance)
#   - a documented content type                        (content_type_conformance)
#   - a body matching the documented schema            (response_schema_conformance)
#   - with the documented response headers             (response_headers_conformance)
#   - 405 with an `Allow` header for other methods     (unsupported_method)
#
# Usage:
#   scripts/schemathesis.sh                  on a fresh SQLite database in a temporary directory
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/schemathesis.sh
#                                            on a fresh database of that PostgreSQL server, dropped
#                                            at the end (the URL's own database is only the way in)
# Environment:
#   SCHEMATHESIS_MAX_EXAMPLES   test cases per operation and phase (default 100: about 2 minutes
#                               on 2 cores, SQLite)
#   SCHEMATHESIS_SEED           random seed (default 1111); the same seed generates the same cases
#   SCHEMATHESIS_WORKERS        concurrent workers (default 2)
#   CAMPAIGN_BOUNDARIES         GeoJSON boundaries to load (default: the 2025 boundaries embedded
#                               in the binary)
#   CARGO_TARGET_DIR            where cargo builds (default target/)
# Extra arguments go to `schemathesis run`, e.g. --include-path-regex '^/groups' or --max-failures 5.
# Exits non-zero on any failure; the server and the PostgreSQL database are cleaned up in every case.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
seed="${SCHEMATHESIS_SEED:-1111}"
workers="${SCHEMATHESIS_WORKERS:-2}"
target_dir="${CARGO_TARGET_DIR:-target}"

# The same build as the tests (`cargo test --workspace`), so CI compiles nothing again here.
cargo build --workspace --all-targets --locked
bin="$target_dir/debug/campaign"

venv="$target_dir/schemathesis-venv"
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != *" $SCHEMATHESIS_VERSION" ]]; then
  echo "==> installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
python="$venv/bin/python"

work=$(mktemp -d)
server_pid=""
pg_admin_url=""
pg_database=""
cleanup() {
  local status=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # A graceful stop lets running requests finish for up to 20 s; do not wait that long.
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$pg_database" ]]; then
    psql "$pg_admin_url" -q -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS \"$pg_database\" WITH (FORCE)" >/dev/null || true
  fi
  if [[ $status -ne 0 && -s "$work/server.log" ]]; then
    echo "==> warnings and errors in the server log"
    grep -E ' (WARN|ERROR) ' "$work/server.log" | tail -n 40 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n "${DATABASE_URL:-}" && "$DATABASE_URL" =~ ^(postgres(ql)?://[^/?]+)(/[^?]*)?(\?.*)?$ ]]; then
  server="${BASH_REMATCH[1]}"
  query="${BASH_REMATCH[4]}"
  pg_admin_url="$server/postgres$query"
  pg_database="schemathesis_$(date +%s)_$$"
  psql "$pg_admin_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$pg_database\"" >/dev/null
  database_url="$server/$pg_database$query"
  echo "==> PostgreSQL database $pg_database"
elif [[ -n "${DATABASE_URL:-}" ]]; then
  echo "DATABASE_URL must be a postgres:// URL (leave it unset for a fresh SQLite file)" >&2
  exit 2
else
  database_url="sqlite://$work/schemathesis.db?mode=rwc"
fi

exclude=()

echo "==> starting the server with the demo campaign"
: >"$work/server.out"
# No rate limits, or schemathesis would mostly be testing the 429.
env -u CAMPAIGN_CLIENT_IP_HEADER -u CAMPAIGN_TRUSTED_PROXIES -u CAMPAIGN_METRICS_TOKEN -u CAMPAIGN_CORS_ORIGINS \
  -u CAMPAIGN_ADMIN_EMAIL -u CAMPAIGN_ADMIN_PASSWORD \
  DATABASE_URL="$database_url" \
  CAMPAIGN_JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
  CAMPAIGN_WRITE_RATE_LIMIT=0 \
  CAMPAIGN_READ_RATE_LIMIT=0 \
  RUST_LOG="${RUST_LOG:-info}" \
  "$bin" serve --demo --demo-entries 2000 --bind 127.0.0.1:0 >"$work/server.out" 2>"$work/server.log" &
server_pid=$!

# The demo prints its accounts and then "Try http://127.0.0.1:PORT/ in a browser …" once it listens.
base=""
for _ in $(seq 600); do
  base=$(sed -n 's|^Try \(http://[^/ ]*\)/.*|\1|p' "$work/server.out")
  [[ -n "$base" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server stopped during start-up" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$base" ]] || { echo "the server did not print its address within 60 s" >&2; exit 1; }
password=$(awk '$1 == "staff" && $2 == "staff@demo.11.be" && $3 == "password" { print $4 }' "$work/server.out")
[[ -n "$password" ]] || { echo "no staff password in the demo output" >&2; exit 1; }

ready=""
for _ in $(seq 300); do
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" == 200 ]]; then ready=1; break; fi
  sleep 0.1
done
[[ -n "$ready" ]] || { echo "/readyz did not answer 200 within 30 s" >&2; exit 1; }

token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"staff@demo.11.be\",\"password\":\"$password\"}" |
  "$python" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
echo "==> signed in as staff@demo.11.be on $base"

# A key twice in one object of the document (e.g. two responses with one status code) reads as
# valid JSON, and every reader, schemathesis too, silently keeps only the last one.
curl -fsS "$base/api/v1/openapi.json" | "$python" -c '
import json, sys
def unique(pairs):
    keys = [k for k, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        sys.exit(f"the OpenAPI document repeats the key(s) {twice} in one object: {keys}")
    return dict(pairs)
json.load(sys.stdin, object_pairs_hook=unique)
'

# Random UUIDs, years and codes almost never name something that exists, and random amounts and
# times almost never pass the domain rules, so most cases would stop at a 404 or 400. Half of the
# values of these parameters and fields come from the demo instead (its groups, activities,
# entries, requests, campaigns, products, materials, past campaign times), the other half stay
# random. The crash cache is off (it would write .schemathesis/ here and replay old cases).
BASE="$base/api/v1" TOKEN="$token" "$python" - >"$work/schemathesis.toml" <<'PY'
import datetime, json, os, urllib.request

base, token = os.environ["BASE"], os.environ["TOKEN"]


def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


groups = get("/groups?limit=10")["items"]
activities = get("/activities?limit=10")["items"]
entries = [e for g in groups[:4] for e in get(f"/groups/{g['id']}/entries?limit=4")["items"]]
requests = get("/material-requests?limit=20")["items"]
users = get("/users?limit=10")["items"]
years = [c["year"] for c in get("/campaigns")["items"]]
products = sorted({p["code"] for y in years for p in get(f"/campaigns/{y}/products")["items"]})
materials = [m["code"] for m in get("/materials")["items"]]
offers = get("/offers?limit=20")["items"]
inquiries = get("/inquiries?limit=10")["items"]
themes = [t["code"] for t in get("/offer-themes")["items"]]
initiatives = get("/initiatives?limit=10")["items"]
applications = get("/applications")["items"][:10]
fund_years = [c["year"] for c in get("/fund-calls")["items"]]
webhooks = get("/webhooks")["items"]
deliveries = [d["id"] for w in webhooks for d in get(f"/webhooks/{w['id']}/deliveries?limit=5")["items"]]
today = datetime.date.today()

dictionaries = {
    "ids": [x["id"] for x in groups + activities + entries + requests + users + offers + inquiries + initiatives + applications + webhooks],
    "initiative_ids": [i["id"] for i in initiatives],
    "delivery_ids": deliveries or [1],
    "urls": ["https://hooks.example.org/in", "https://127.0.0.1/hooks"],
    "organisations": sorted({o["organisation_id"] for o in offers}),
    "themes": themes,
    "words": ["water", "genoeg leef", "eerlijke handel"],
    "group_ids": [g["id"] for g in groups],
    "activity_ids": [a["id"] for a in activities],
    "years": sorted(set(years + fund_years)),
    "new_years": [max(years) + 1, 2099],
    "nis": sorted({g["municipality_nis"] for g in groups}),
    "products": products,
    "materials": materials,
    "codes": ["stickers", "cards-24", materials[0]],
    "occurred": [e["occurred_at"] for e in entries[:6]],
    "activity_times": [a[k] for a in activities[:4] for k in ("starts_at", "ends_at")],
    "dates": [f"{max(years) + 1}-10-15", f"{max(years) + 1}-11-30"],
    "days_ahead": [(today + datetime.timedelta(days=d)).isoformat() for d in (3, 10)],
    "quantities": [1, 3, 1000],
    "amounts": [1, 2500, 10_000_000],
    "deltas": [-1, 5, 1_000_000],
    "emails": ["new.person@example.org", "staff@demo.11.be"],
    "passwords": ["a long enough password"],
    "texts": ["Quiz in de parochiezaal", "Jan Janssens"],
}
bindings = {
    "path.id": "ids",
    "path.year": "years",
    "path.delivery_id": "delivery_ids",
    "path.nis": "nis",
    "path.code": "materials",
    "query.campaign_year": "years",
    "query.municipality_nis": "nis",
    "query.group_id": "group_ids",
    "query.organisation_id": "organisations",
    "query.theme": "themes",
    "query.q": "words",
    "body.municipality_nis": "nis",
    "body.group_id": "group_ids",
    "body.initiative_id": "initiative_ids",
    "body.activity_id": "activity_ids",
    "body.entries[*].activity_id": "activity_ids",
    "body.product_code": "products",
    "body.entries[*].product_code": "products",
    "body.quantity": "quantities",
    "body.entries[*].quantity": "quantities",
    "body.lines[*].quantity": "quantities",
    "body.lines[*].material_code": "materials",
    "body.amount_cents": "amounts",
    "body.entries[*].amount_cents": "amounts",
    "body.unit_price_cents": "amounts",
    "body.target_cents": "amounts",
    "body.occurred_at": "occurred",
    "body.entries[*].occurred_at": "occurred",
    "body.starts_at": "activity_times",
    "body.ends_at": "activity_times",
    "body.needed_by": "days_ahead",
    "body.year": "new_years",
    "body.starts_on": "dates",
    "body.ends_on": "dates",
    "body.code": "codes",
    "body.delta": "deltas",
    "body.email": "emails",
    "body.password": "passwords",
    "body.name": "texts",
    "body.title": "texts",
    "body.reason": "texts",
    "body.url": "urls",
}
print("[cache]\nenabled = false\n\n[dictionaries]")
for name, values in dictionaries.items():
    print(f"{name} = {{ values = {json.dumps(values)} }}")
print("\n[parameters]")
for key, name in bindings.items():
    print(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}')
PY

# Left out:
# - GET /campaigns/{year}/totals/stream is Server-Sent Events: a valid request never ends, so
#   every case would only end in the request time-out.
# The auth operations stay in: the run's access token is a stateless JWT (valid 15 minutes, far
# longer than the run) that neither /auth/refresh nor /auth/logout can revoke (they only revoke
# refresh tokens, and the run never holds the staff login's refresh token); the staff account
# cannot deactivate itself (PATCH /users/{id} answers 409); and failed sign-ins only throttle
# further sign-ins (a documented 429), never the token.
echo "==> schemathesis $SCHEMATHESIS_VERSION, at most $max_examples examples per operation, seed $seed"
"$python" scripts/schemathesis-run.py --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,unsupported_method \
  --exclude-path '/campaigns/{year}/totals/stream' ${exclude[@]+"${exclude[@]}"} \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers "$workers" \
  --request-timeout 30 \
  --generation-database none \
  --no-color \
  "$@"

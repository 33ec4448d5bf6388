#!/usr/bin/env bash
# `make test`: lint, type checks, the direction of imports, Django checks, then the whole suite
# on SQLite and — when DATABASE_URL points at PostgreSQL (always under CI=true) — on PostgreSQL
# with Redis.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export AFTERSALES_VAR_DIR="${AFTERSALES_VAR_DIR:-$PWD/var}"
mkdir -p "$AFTERSALES_VAR_DIR" test-results
# Compiled modules, and pytest's assertion-rewritten test modules, are kept under var/pycache
# (never in the work tree), also where the environment sets PYTHONDONTWRITEBYTECODE=1: without
# them each pass compiles and rewrites every module again while collecting (measured: collection
# 85 s cold, 47 s with the cache, on the loaded 2-CPU machine). Python and pytest check each cached
# file against its source's size and modification time and write it atomically, so the two passes
# may share the folder.
export PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX="$AFTERSALES_VAR_DIR/pycache"
CI_MODE=false
case "${CI:-}" in 1|true|TRUE|yes) CI_MODE=true ;; esac

fail() { echo "make test: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

paths=(src tests conftest.py)
for p in e2e bench; do [ -d "$p" ] && paths+=("$p"); done

step "ruff (lint and format)"
.venv/bin/ruff check "${paths[@]}" || fail "ruff found problems (make format fixes most)"
.venv/bin/ruff format --check "${paths[@]}" || fail "files need formatting: make format"

step "translations compile"
$PY manage.py compile_translations >/dev/null || fail "translations do not compile"

# The other gates (mypy, import-linter, the Django checks, the dependency audit: about a minute
# of one CPU) run beside the test passes instead of before them; their output is printed, and a
# failure fails `make test`, when the passes have ended (GATES_FIRST=1 runs them first, one by one,
# stopping at the first failure, as before). docs/decisions/0011.
run_gates() {
  local failed=0
  gate() {  # title, then the command
    local title=$1; shift
    printf '\n==> %s\n' "$title"
    "$@" || { echo "make test: FAILED: $title"; failed=1; }
  }
  gate "mypy (services and selectors)" .venv/bin/mypy
  gate "import-linter (direction of imports between the apps; docs/architecture.md)" \
    env PYTHONPATH=src:. .venv/bin/lint-imports --no-cache --no-logo
  gate "Django system checks" env AFTERSALES_ENV=test DATABASE_URL= $PY manage.py check --fail-level WARNING
  gate "migrations match the models" env AFTERSALES_ENV=test DATABASE_URL= $PY manage.py makemigrations --check --dry-run
  gate "dependency audit (pip-audit; AUDIT_STRICT=1 also fails when nothing could be audited)" scripts/audit_deps.sh
  gate "manage.py check --deploy (production settings)" env AFTERSALES_ENV=production \
    SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=aftersales.example.com AFTERSALES_SITE_URL=https://aftersales.example.com DATABASE_URL= \
    $PY manage.py check --deploy --fail-level WARNING
  return $failed
}
GATES_LOG=test-results/gates.log
gates_pid=""
if [ -n "${GATES_FIRST:-}" ]; then
  run_gates || fail "a gate failed (above)"
else
  step "mypy, import-linter, Django checks, dependency audit: beside the tests (output at the end)"
  run_gates >"$GATES_LOG" 2>&1 &
  gates_pid=$!
fi

# Which databases to run on.
PG_URL=""
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  PG_URL="$DATABASE_URL"
elif $CI_MODE; then
  PG_URL="postgres://postgres@127.0.0.1:5432/aftersales_ci"
fi
if [ -n "$PG_URL" ]; then
  if ! $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg, dj_database_url
cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                    password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL at {sys.argv[1]} is not reachable: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
  then
    $CI_MODE && fail "CI=true requires PostgreSQL (DATABASE_URL=$PG_URL)"
    echo "PostgreSQL not reachable: the PostgreSQL pass is skipped (set DATABASE_URL to run it)."
    PG_URL=""
  fi
elif ! $CI_MODE; then
  echo "DATABASE_URL does not point at PostgreSQL: only the SQLite pass runs."
  echo "  (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales REDIS_URL=redis://127.0.0.1:6379/0 make test)"
fi
REDIS="${REDIS_URL:-}"
if [ -z "$REDIS" ] && $CI_MODE; then REDIS="redis://127.0.0.1:6379/0"; fi
if [ -n "$REDIS" ]; then
  if ! $PY -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" "$REDIS" 2>/dev/null; then
    $CI_MODE && fail "CI=true requires Redis (REDIS_URL=$REDIS)"
    echo "Redis not reachable at $REDIS: Redis tests skip."
    REDIS=""
  fi
fi

summaries=()
overall=0
# One pass: name, database url ("" = SQLite), redis url, var dir. Its output goes to its log;
# its counts to its .counts file (the passes may run side by side).
run_pass() {
  local name=$1 db=$2 redis=$3 var=$4 xml="test-results/$1.xml"
  rm -f "$xml"
  mkdir -p "$var"
  # The API fuzz (schemathesis) is the longest module (~1 s per operation). Each pass runs the
  # schema's examples and the random fuzzing of every operation, 6 examples an operation (random
  # strings and numbers are what a database can refuse differently: a NUL character, an integer
  # out of range); `make api-fuzz` runs many more. The coverage phase (every boundary and every
  # violation the schema defines: deterministic, answered by the input validation, the same on
  # both databases, most of the module's time) is shared when both passes run: the SQLite pass
  # runs it for half the operations, the PostgreSQL pass for the other half (decision 0011).
  # API_FUZZ_EXAMPLES / API_FUZZ_PHASES / API_FUZZ_COVERAGE_SHARD override both passes.
  local fuzz="${API_FUZZ_EXAMPLES:-6}" phases="${API_FUZZ_PHASES:-examples,coverage,fuzzing}" shard="${API_FUZZ_COVERAGE_SHARD-}"
  if [ -n "$PG_URL" ] && [ -z "${API_FUZZ_COVERAGE_SHARD+set}" ]; then
    if [ -n "$db" ]; then shard=1/2; else shard=0/2; fi
  fi
  # A test that uses no database (pure functions, charts, parsing, the catalogues…) runs the same
  # on both databases: the SQLite pass (always run, with the same Redis) runs it, the PostgreSQL
  # pass leaves it out (conftest.py, --database-tests-only; its summary counts them as deselected),
  # and so it does the browser journeys; the tests marked one_pass run in the PostgreSQL pass only
  # (--postgresql-pass-runs-too in the SQLite pass beside it). docs/decisions/0011.
  local only_db=()
  rm -f "test-results/$name.deselected"
  if [ -n "$db" ]; then
    only_db=(--database-tests-only --deselected-list "test-results/$name.deselected")
  elif [ -n "$PG_URL" ]; then
    only_db=(--postgresql-pass-runs-too --deselected-list "test-results/$name.deselected")
  fi
  API_FUZZ_EXAMPLES="$fuzz" API_FUZZ_PHASES="$phases" API_FUZZ_COVERAGE_SHARD="$shard" AFTERSALES_ENV=test AFTERSALES_VAR_DIR="$var" DATABASE_URL="$db" REDIS_URL="$redis" \
    .venv/bin/pytest --junitxml="$xml" -o junit_family=xunit2 -q -p no:randomly "${only_db[@]}" "${PYTEST_ARGS[@]}"
  local rc=$?
  $PY - "$xml" "$rc" >"test-results/$name.counts" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
rc = int(sys.argv[2])
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1 if rc else 0, 0, rc); sys.exit()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
sk = sum(int(s.get("skipped", 0)) for s in suites)
if rc and not f:
    f = 1
print(t - f - sk, f, sk, rc)
PYEOF
}
collect() {  # name
  local passed failed skipped rc
  read -r passed failed skipped rc <"test-results/$1.counts"
  local line
  line="$(printf '%-24s %5d passed, %d failed, %d skipped' "$1:" "$passed" "$failed" "$skipped")"
  if [ -f "test-results/$1.deselected" ]; then
    line+="$(printf ', %d deselected (run in the other pass: docs/decisions/0011)' "$(wc -l <"test-results/$1.deselected")")"
  fi
  summaries+=("$line")
  TOTAL_PASSED=$((TOTAL_PASSED + passed)); TOTAL_FAILED=$((TOTAL_FAILED + failed)); TOTAL_SKIPPED=$((TOTAL_SKIPPED + skipped))
  [ "$rc" -eq 0 ] || overall=1
}
TOTAL_PASSED=0; TOTAL_FAILED=0; TOTAL_SKIPPED=0
PYTEST_ARGS=("$@")

# The SQLite pass uses Redis database 1 and its own var dir, the PostgreSQL pass database 0 and
# another var dir, so that the two can run at the same time (TEST_PASSES_IN_SERIES=1 runs them
# one after the other, output as it comes).
REDIS_SQLITE="$REDIS"
if [ -n "$REDIS" ] && [ -n "$PG_URL" ]; then REDIS_SQLITE="${REDIS%/*}/1"; fi
SQLITE_VAR="$AFTERSALES_VAR_DIR/test-sqlite"
PG_VAR="$AFTERSALES_VAR_DIR/test-postgresql"
if [ -z "$PG_URL" ] || [ -n "${TEST_PASSES_IN_SERIES:-}" ]; then
  step "test suite on SQLite"
  run_pass "SQLite" "" "$REDIS_SQLITE" "$SQLITE_VAR"
  collect "SQLite"
  if [ -n "$PG_URL" ]; then
    step "test suite on PostgreSQL+Redis"
    run_pass "PostgreSQL+Redis" "$PG_URL" "$REDIS" "$PG_VAR"
    collect "PostgreSQL+Redis"
  fi
else
  step "test suite on SQLite and on PostgreSQL+Redis, side by side (output when each ends)"
  run_pass "SQLite" "" "$REDIS_SQLITE" "$SQLITE_VAR" >test-results/SQLite.log 2>&1 &
  sqlite_pid=$!
  run_pass "PostgreSQL+Redis" "$PG_URL" "$REDIS" "$PG_VAR" >test-results/PostgreSQL.log 2>&1 &
  pg_pid=$!
  wait "$sqlite_pid"
  step "test suite on SQLite"
  cat test-results/SQLite.log
  collect "SQLite"
  wait "$pg_pid"
  step "test suite on PostgreSQL+Redis"
  cat test-results/PostgreSQL.log
  collect "PostgreSQL+Redis"
fi

gates_line="gates (mypy, import-linter, checks, audit): run first (GATES_FIRST=1), passed"
if [ -n "$gates_pid" ]; then
  gates_rc=0
  wait "$gates_pid" || gates_rc=$?
  cat "$GATES_LOG"
  if [ "$gates_rc" -ne 0 ]; then
    overall=1
    gates_line="gates (mypy, import-linter, checks, audit): FAILED (see above)"
  else
    gates_line="gates (mypy, import-linter, checks, audit): passed"
  fi
fi

printf '\n==> summary (databases the suite ran on)\n'
for line in "${summaries[@]}"; do echo "$line"; done
[ -z "$PG_URL" ] && echo "PostgreSQL:              not run (no reachable DATABASE_URL)"
echo "$gates_line"
echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
exit $overall

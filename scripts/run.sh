#!/usr/bin/env bash
# Serve Aftersales with the production server, the background worker and the scheduler; Ctrl-C
# stops them. Called by `make run` (the demo) and `make start` (--no-demo: a real company's
# database) after install:
#   1. prepares the database (migrations, translations, static files and, with the demo, the
#      demo data once — which refuses a database holding data the demo did not make: demo.guard),
#   2. starts the three processes, each writing its log to var/log/ (quiet: warnings and errors;
#      VERBOSE=1 or LOG_LEVEL=INFO for every request and job),
#   3. waits until the server and a worker answer, and prints one banner last: the address and,
#      with the demo, the demo logins and the demo API key (manage.py demo_banner); without it,
#      how to create the first administrator when there is none,
#   4. restarts any of the three that stops (the worker also waits out a database outage by
#      itself: manage.py worker), until Ctrl-C.
# Usage: scripts/run.sh [--no-demo]   (or DEMO=0 scripts/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DEMO="${DEMO:-1}"
for arg in "$@"; do
  case "$arg" in
    --no-demo) DEMO=0 ;;
    --demo) DEMO=1 ;;
    -h | --help)
      echo "Usage: scripts/run.sh [--no-demo]  (make run: with the demo data; make start: without it)"
      exit 0
      ;;
    *)
      echo "scripts/run.sh: unknown option $arg (--no-demo, --help)" >&2
      exit 2
      ;;
  esac
done
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export HOST PORT
# Make the chosen host name acceptable to Django when it is not a local one.
if [ -z "${ALLOWED_HOSTS:-}" ]; then
  export ALLOWED_HOSTS="127.0.0.1,localhost,[::1],${HOST}"
fi

# Logs: quiet unless asked. LOG_LEVEL bounds the application's logs (settings.LOGGING); gunicorn
# has its own level, and its access log (one line per request) is written only when verbose.
if [ "${VERBOSE:-0}" != 0 ]; then
  export LOG_LEVEL="${LOG_LEVEL:-INFO}"
else
  export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
fi
case "${LOG_LEVEL^^}" in
  DEBUG | INFO) export GUNICORN_ACCESS_LOG="${GUNICORN_ACCESS_LOG--}" ;;
  *) export GUNICORN_ACCESS_LOG="" ;;
esac
export GUNICORN_CMD_ARGS="--log-level ${LOG_LEVEL,,} ${GUNICORN_CMD_ARGS:-}"
VAR_DIR="${AFTERSALES_VAR_DIR:-$PWD/var}"
LOG_DIR="$VAR_DIR/log"
LOG_SHOWN="${LOG_DIR#"$PWD"/}/"  # var/log/ when it is the usual place
mkdir -p "$LOG_DIR"
for name in web worker scheduler; do  # the previous run's log is kept as <name>.log.1
  if [ -s "$LOG_DIR/$name.log" ]; then mv -f "$LOG_DIR/$name.log" "$LOG_DIR/$name.log.1"; fi
done

echo "Preparing the database (migrations, translations, static files)…"
$PY manage.py migrate --noinput --verbosity 0
$PY manage.py compile_translations >/dev/null
# Static files do not need the database: collected while the demo data loads.
$PY manage.py collectstatic --noinput --verbosity 0 &
static_pid=$!
if [ "$DEMO" != 0 ] && ! $PY manage.py demo_data --no-logins; then
  wait "$static_pid" || true
  exit 1
fi
wait "$static_pid"

# shellcheck source=scripts/supervise.sh
source scripts/supervise.sh
pids=()
names=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping Aftersales…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap 'cleanup; exit 0' INT  # Ctrl-C is how one stops it: not an error
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

start() {  # start NAME COMMAND…: keep it running in the background, its output into var/log/NAME.log
  local name="$1"
  shift
  supervise "$name" "$@" &
  pids+=($!)
  names+=("$name")
}
echo "Starting the web server, the worker and the scheduler (logs in ${LOG_SHOWN})…"
start web .venv/bin/gunicorn --config deploy/gunicorn.conf.py
start worker $PY manage.py worker --queue-name '*' --interval 1
start scheduler $PY manage.py scheduler

# The server is probed on the loopback address when it listens on all of them.
case "$HOST" in
  0.0.0.0 | "::" | "[::]") PROBE_HOST=127.0.0.1 ;;
  *) PROBE_HOST="$HOST" ;;
esac
case "$PROBE_HOST" in
  *:*) [[ "$PROBE_HOST" == \[* ]] || PROBE_HOST="[$PROBE_HOST]" ;;  # an IPv6 address in a URL
esac
# Without the demo: the same wait (the server's /healthz, then a job run by a worker), and a
# banner with no demo logins that says how to create the first administrator while none exists.
read -r -d '' READY_WITHOUT_DEMO <<'PY' || true
import os, sys, time, urllib.error, urllib.request
from django.db.models import Q
from django_tasks.base import TaskResultStatus
from aftersales.accounts.models import Role, User
from aftersales.demo.tasks import worker_ping
url, logs = os.environ["READY_URL"], os.environ["READY_LOGS"]
deadline = time.monotonic() + float(os.environ["READY_WAIT"])
while True:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=2) as response:
            if response.status == 200:
                break
    except (urllib.error.URLError, OSError):
        pass
    if time.monotonic() > deadline:
        sys.exit(f"The web server did not answer at {url}healthz; see {logs}web.log.")
    time.sleep(0.25)
result = worker_ping.enqueue()
while result.status != TaskResultStatus.SUCCESSFUL:
    if result.status == TaskResultStatus.FAILED or time.monotonic() > deadline:
        sys.exit(f"The background worker did not answer; see {logs}worker.log.")
    time.sleep(0.25)
    result.refresh()
administrators = User.objects.filter(Q(is_superuser=True) | Q(role=Role.ADMINISTRATOR), is_active=True)
rule = "─" * 64
lines = [rule, f"  Aftersales is running at {url} (no demo data)", ""]
if not administrators.exists():
    lines += [
        "  No administrator yet. Create the first one (it asks for the password):",
        "    .venv/bin/python manage.py create_administrator --username NAME --email ADDRESS",
        "  then sign in: the overview lists what is left to set up.",
    ]
else:
    lines.append("  Sign in as an administrator: the overview lists what is left to set up.")
lines += [
    "",
    f"  API: {url}api/v1/docs (docs/api.md)",
    f"  Logs: {logs} (more detail: make start VERBOSE=1)",
    "  Ctrl-C stops the web server, the worker and the scheduler.",
    rule,
]
print("\n".join(lines))
PY
if [ "$DEMO" = 0 ]; then
  ready() {
    READY_URL="http://${PROBE_HOST}:${PORT}/" READY_LOGS="$LOG_SHOWN" READY_WAIT="${START_TIMEOUT:-120}" \
      $PY manage.py shell --verbosity 0 --command "$READY_WITHOUT_DEMO"
  }
else
  ready() {
    $PY manage.py demo_banner --url "http://${PROBE_HOST}:${PORT}/" --wait "${START_TIMEOUT:-120}" --logs "$LOG_SHOWN"
  }
fi
if ! ready; then
  for name in "${names[@]}"; do
    echo "--- last lines of ${LOG_SHOWN}${name}.log"
    tail -n 15 "$LOG_DIR/$name.log" || true
  done
  exit 1
fi

# The three run until Ctrl-C (or TERM); each is restarted when it stops.
wait

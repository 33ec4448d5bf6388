#!/usr/bin/env bash
# Serve Aftersales with the production server and the background worker; Ctrl-C stops both.
# Called by `make run` after install, migrate, translations, static files and demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export HOST PORT
# Make the chosen host name acceptable to Django when it is not a local one.
if [ -z "${ALLOWED_HOSTS:-}" ]; then
  export ALLOWED_HOSTS="127.0.0.1,localhost,[::1],${HOST}"
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping Aftersales…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap cleanup INT TERM EXIT

.venv/bin/gunicorn --config deploy/gunicorn.conf.py &
pids+=($!)
$PY manage.py db_worker --queue-name '*' --interval 1 &
pids+=($!)
$PY manage.py scheduler &
pids+=($!)

DEMO_API_KEY="$($PY manage.py api_demo_key 2>/dev/null || true)"
cat <<MSG

  Aftersales 售后服务管理系统 is running at  http://${HOST}:${PORT}/

  Demo logins (user / password):
    agent       agent-demo-2026        客服人员 Agent
    supervisor  supervisor-demo-2026   主管 Supervisor
    technician  technician-demo-2026   技术人员 Technician
    customer    customer-demo-2026     客户 Customer
    admin       admin-demo-2026        管理员 Administrator (also /admin/)

  API: http://${HOST}:${PORT}/api/v1/docs  (docs/api.md)${DEMO_API_KEY:+
    Demo API key (local demo data only): ${DEMO_API_KEY}}

  Press Ctrl-C to stop the web server, the worker and the scheduler.

MSG
# Stop everything as soon as either process exits.
wait -n "${pids[@]}"

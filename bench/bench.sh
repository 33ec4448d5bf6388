#!/usr/bin/env bash
# make bench / make bench-quick: install the load tools and PostgreSQL when missing, make sure the
# server runs, then load the dataset (bench/load.py, reused when already loaded) and run the
# workloads (bench/run.py). Usage: bench/bench.sh N RUNS [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:?N}"; RUNS="${2:-3}"; shift 2 || true
export AFTERSALES_VAR_DIR="${AFTERSALES_VAR_DIR:-/tmp/var-bench}"
mkdir -p "$AFTERSALES_VAR_DIR"

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v h2load >/dev/null || need+=(nghttp2-client)
command -v pgbench >/dev/null || need+=(postgresql-contrib postgresql-client)
command -v psql >/dev/null || need+=(postgresql-client)
command -v pg_ctlcluster >/dev/null || pg_isready -q -h "${PGHOST:-127.0.0.1}" 2>/dev/null || need+=(postgresql)
if ((${#need[@]})); then
  echo "bench: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! pg_isready -q -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}"; then
  echo "bench: starting PostgreSQL" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO pg_ctlcluster "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  for _ in $(seq 30); do pg_isready -q -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" && break; sleep 1; done
fi
exec .venv/bin/python bench/run.py --n "$N" --runs "$RUNS" "$@"

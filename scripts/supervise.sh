# Sourced by scripts/run.sh: ``supervise NAME COMMAND…`` runs COMMAND with its output appended
# to $LOG_DIR/NAME.log and starts it again whenever it stops.
# Restart a process that stops (a crash, a killed worker), after a pause that grows while it keeps
# stopping soon after starting (1 s, doubling up to 30 s); the other processes go on meanwhile.
supervise() {
  local name="$1"
  shift
  set +e  # a stopped process is expected here, not an error of this script
  local child="" pause=1 started rc
  trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi; exit 0' TERM INT
  while true; do
    started=$SECONDS
    "$@" >>"$LOG_DIR/$name.log" 2>&1 &
    child=$!
    wait "$child"
    rc=$?
    child=""
    if ((SECONDS - started >= 60)); then pause=1; fi
    echo "$(date '+%F %T') the $name process stopped (exit $rc); restarting it in ${pause} s" >>"$LOG_DIR/$name.log"
    echo "The $name process stopped (exit $rc); restarting it in ${pause} s (see ${LOG_SHOWN}${name}.log)." >&2
    sleep "$pause" &
    child=$!
    wait "$child"
    child=""
    pause=$((pause * 2 > 30 ? 30 : pause * 2))
  done
}

"""``make run`` keeps its three processes running: scripts/supervise.sh starts a process again
when it stops (a crash, a killed worker), with a growing pause, and stops it on TERM."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_process_that_stops_is_started_again_until_the_supervisor_is_stopped(tmp_path):
    runs = tmp_path / "runs"
    script = f'source scripts/supervise.sh; supervise demo bash -c "echo ran >> {runs}; exit 3"'
    supervisor = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        ["/bin/bash", "-c", script],
        cwd=ROOT,
        env={"LOG_DIR": str(tmp_path), "LOG_SHOWN": "var/log/", "PATH": "/usr/bin:/bin"},
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3.5)  # started at 0 s, again after 1 s, again after 2 more
    supervisor.send_signal(signal.SIGTERM)
    _out, err = supervisor.communicate(timeout=10)

    assert supervisor.returncode == 0
    assert runs.read_text().count("ran") == 3
    log = (tmp_path / "demo.log").read_text()
    assert "the demo process stopped (exit 3); restarting it in 1 s" in log
    assert "restarting it in 2 s" in log
    assert "The demo process stopped (exit 3); restarting it in 1 s (see var/log/demo.log)." in err
    time.sleep(1.5)
    assert runs.read_text().count("ran") == 3  # stopped for good: not started again

"""Shared settings of the benchmark harness: paths, the bench database, the production-like
environment the product runs under (the same variables deploy/production-2core.env documents).

Nothing here imports Django; ``django_setup()`` does, after the environment is in place.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SRC = REPO / "src"
DATASET_PATH = Path(os.environ.get("BENCH_DATASET", REPO.parent / "shared" / "bench" / "dataset.py"))
AGENT_USERNAME = "agent01"
# W4 (the dashboard) is a supervisor's page: same password, role supervisor, data scope "all".
SUPERVISOR_USERNAME = "supervisor01"
# A benchmark login on a throw-away database; override with BENCH_AGENT_PASSWORD.
AGENT_PASSWORD = os.environ.get("BENCH_AGENT_PASSWORD", "bench-agent01-Pw!")
PG_HOST = os.environ.get("PGHOST", "127.0.0.1")
PG_PORT = os.environ.get("PGPORT", "5432")
PG_USER = os.environ.get("PGUSER", "postgres")


def db_name(n: int) -> str:
    return os.environ.get("BENCH_DB") or f"aftersales_bench_n{n}"


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def var_dir() -> Path:
    return Path(os.environ.get("AFTERSALES_VAR_DIR") or "/tmp/var-bench")


def product_env(db: str) -> dict[str, str]:
    """The environment of the product under test: production settings, DEBUG off, the bench
    database, no network for e-mail, plain HTTP on 127.0.0.1 (TLS is terminated in front of
    gunicorn in production and is not part of the measurement)."""
    var = var_dir()
    env = {
        "AFTERSALES_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789abcdef"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(db),
        "AFTERSALES_VAR_DIR": str(var),
        "STATIC_ROOT": str(var / "static"),
        "MEDIA_ROOT": str(var / "media"),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "TASKS_BACKEND": "database",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(SRC),
    }
    return env


def apply_env(db: str) -> None:
    os.environ.update(product_env(db))
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))


def django_setup(db: str) -> None:
    apply_env(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()
    ensure_static()


def ensure_static() -> None:
    """The pages render with production settings (the manifest static storage): collect the
    static files once into the bench's var dir (a fresh machine has none; ``make bench`` does it
    in load.py, a script run alone must too)."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").is_file():
        call_command("collectstatic", "--noinput", verbosity=0)


def load_dataset_module() -> ModuleType:
    """../shared/bench/dataset.py, imported from its path at run time (never copied)."""
    if not DATASET_PATH.is_file():
        raise SystemExit(f"dataset generator not found at {DATASET_PATH} (set BENCH_DATASET)")
    spec = importlib.util.spec_from_file_location("bench_dataset", DATASET_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

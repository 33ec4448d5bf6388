"""``manage.py check --deploy`` on the file storage (core/storage.py): an S3 storage needs its
bucket, and its endpoint should be https (the files hold customers' photos, signatures and
personal-data copies)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from .storage import is_object_storage

HINT = "See docs/operations.md, 'Files on object storage': STORAGE_BACKEND=s3 with S3_BUCKET, S3_ENDPOINT_URL, S3_REGION…"


def storage_problems(config: Mapping[str, Any]) -> list[checks.CheckMessage]:
    """What is wrong with ``STORAGES["default"]`` for a deployment ([] when nothing)."""
    if not is_object_storage(config):
        return []
    options = config.get("OPTIONS") or {}
    if not options.get("bucket_name"):
        return [
            checks.Error(
                "STORAGE_BACKEND selects the S3 storage but S3_BUCKET is not set: no file could be stored or read.",
                hint=HINT,
                id="storage.E001",
            )
        ]
    problems: list[checks.CheckMessage] = []
    endpoint = str(options.get("endpoint_url") or "")
    if endpoint and urlsplit(endpoint).scheme != "https":
        problems.append(
            checks.Warning(
                f"S3_ENDPOINT_URL={endpoint!r} is not https: files and the signed requests would travel in clear text.",
                hint=HINT,
                id="storage.W001",
            )
        )
    if bool(options.get("access_key")) != bool(options.get("secret_key")):
        problems.append(
            checks.Warning(
                "Only one of S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY is set: set both, or neither to use boto3's own credentials.",
                hint=HINT,
                id="storage.W002",
            )
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def check_file_storage(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``check --deploy``: the S3 storage, when chosen, has a bucket and an https endpoint."""
    return storage_problems(settings.STORAGES.get("default", {}))

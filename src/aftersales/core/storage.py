"""Where the uploaded and generated files live (docs/operations.md, "Files on object storage").

Every file the product keeps — attachments, photos, signatures, signed agreements, appraisal and
knowledge files, import sheets, Excel exports, personal-data copies — is read and written through
Django's default storage (``FieldFile.open``/``save``/``delete``, ``storage.exists``/``listdir``),
never by a local path. Which storage that is, is read from the environment here, so that
settings.py only calls :func:`default_storage_from_env` and the rules are unit-tested:

* unset (or ``filesystem``): ``FileSystemStorage`` under ``MEDIA_ROOT`` — one machine;
* ``s3``: django-storages' ``S3Storage`` on any S3-compatible object storage (AWS S3, Aliyun
  OSS, Tencent COS, MinIO) — many machines see the same files. ``S3_BUCKET`` (required),
  ``S3_ENDPOINT_URL``, ``S3_REGION``, ``S3_ACCESS_KEY_ID`` + ``S3_SECRET_ACCESS_KEY`` (else
  boto3's own chain: an instance role, ``AWS_*`` variables), ``S3_PREFIX`` (a folder in the
  bucket), ``S3_ADDRESSING_STYLE`` (``virtual`` | ``path`` | ``auto``), ``S3_ACL`` (canned ACL
  sent with each object, default ``private``; empty: none, for an AWS bucket with ACLs disabled);
* any other dotted class name: used as it is, without options.

The S3 options keep the file system's behaviour: a name already taken gets a new one (never
overwritten: two uploads named alike on the same day stay two files), objects are private and
no URL is ever handed out (``querystring_auth`` off: a ``.url`` would not open; files are served
only by the access-checked views), and a download larger than 5 MiB is spooled to a temporary
file, not held in memory. Checksums are sent only where S3 requires them (boto3's behaviour
before 1.36): several S3-compatible services refuse the newer default's chunked checksums.

``manage.py check --deploy`` reports an S3 storage without a bucket (``storage_checks``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
# The older module name of the same class (django-storages < 1.14) is given the same options.
S3_BACKENDS = frozenset({S3_BACKEND, "storages.backends.s3boto3.S3Boto3Storage"})
SHORTCUTS = {"": FILESYSTEM_BACKEND, "filesystem": FILESYSTEM_BACKEND, "s3": S3_BACKEND}
ADDRESSING_STYLES = frozenset({"auto", "virtual", "path"})
# Spooled to a temporary file past this (django-storages' default, 0, keeps a whole download in memory).
S3_MAX_MEMORY_BYTES = 5 * 1024 * 1024


def _value(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def storage_backend(environ: Mapping[str, str]) -> str:
    """The dotted storage class ``STORAGE_BACKEND`` names (a shortcut or a class path)."""
    raw = _value(environ, "STORAGE_BACKEND")
    return SHORTCUTS.get(raw.lower(), raw)


def s3_client_config(addressing_style: str) -> Any:
    """botocore's client configuration for an S3-compatible service (imported only then)."""
    from botocore.config import Config

    return Config(
        s3={"addressing_style": addressing_style},
        signature_version="s3v4",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def s3_options(environ: Mapping[str, str]) -> dict[str, Any]:
    """``S3Storage``'s options from the ``S3_*`` variables (see the module's docstring)."""
    style = _value(environ, "S3_ADDRESSING_STYLE").lower() or "auto"
    if style not in ADDRESSING_STYLES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE={style!r}: use virtual, path or auto")
    acl = _value(environ, "S3_ACL") if "S3_ACL" in environ else "private"
    options: dict[str, Any] = {
        "bucket_name": _value(environ, "S3_BUCKET"),
        "location": _value(environ, "S3_PREFIX").strip("/"),
        "default_acl": acl or None,
        "querystring_auth": False,
        "file_overwrite": False,
        "max_memory_size": S3_MAX_MEMORY_BYTES,
        "client_config": s3_client_config(style),
    }
    for option, name in (
        ("endpoint_url", "S3_ENDPOINT_URL"),
        ("region_name", "S3_REGION"),
        ("access_key", "S3_ACCESS_KEY_ID"),
        ("secret_key", "S3_SECRET_ACCESS_KEY"),
    ):
        if _value(environ, name):
            options[option] = _value(environ, name)
    return options


def default_storage_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """``STORAGES["default"]``: the backend ``STORAGE_BACKEND`` names, with the S3 options when
    it is the S3 storage."""
    backend = storage_backend(environ)
    if backend in S3_BACKENDS:
        return {"BACKEND": backend, "OPTIONS": s3_options(environ)}
    return {"BACKEND": backend}


def is_object_storage(config: Mapping[str, Any]) -> bool:
    return str(config.get("BACKEND", "")) in S3_BACKENDS

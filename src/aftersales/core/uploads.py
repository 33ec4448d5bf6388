"""The one ``upload_to`` helper: stored files get a generated, random name under a prefix the
model gives (its owner's key), keeping only a short, alphanumeric suffix of the uploader's file
name. Nothing else of the uploader's file name reaches the file system."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any


def safe_suffix(filename: str) -> str:
    """``.PNG`` → ``.png``; anything that is not a short alphanumeric suffix → ``""``."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return suffix if suffix[1:].isalnum() else ""


def upload_path(prefix: str, instance: Any, filename: str) -> str:
    """``<prefix>/<random hex><suffix>`` for ``instance``'s file uploaded as ``filename``."""
    return f"{prefix.rstrip('/')}/{uuid.uuid4().hex}{safe_suffix(filename)}"

"""The file storage read from the environment (core/storage.py) and its deploy check
(core/storage_checks.py): plain functions, no database, no server."""

from __future__ import annotations

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from aftersales.core.storage import FILESYSTEM_BACKEND, S3_BACKEND, default_storage_from_env
from aftersales.core.storage_checks import storage_problems

MINIO = {
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": "aftersales",
    "S3_ENDPOINT_URL": "https://minio.internal:9000",
    "S3_REGION": "us-east-1",
    "S3_ACCESS_KEY_ID": "key",
    "S3_SECRET_ACCESS_KEY": "secret",
    "S3_PREFIX": "/prod/",
    "S3_ADDRESSING_STYLE": "path",
}


def ids(problems: list[checks.CheckMessage]) -> list[str]:
    return [str(p.id) for p in problems]


@pytest.mark.parametrize("value", [None, "", "  ", "filesystem", "FileSystem"])
def test_without_a_choice_files_stay_in_the_media_folder(value):
    environ = {} if value is None else {"STORAGE_BACKEND": value}
    assert default_storage_from_env(environ) == {"BACKEND": FILESYSTEM_BACKEND}


def test_s3_reads_every_variable_and_keeps_the_file_systems_behaviour():
    config = default_storage_from_env(MINIO)
    assert config["BACKEND"] == S3_BACKEND
    options = dict(config["OPTIONS"])
    client = options.pop("client_config")
    assert options == {
        "bucket_name": "aftersales",
        "endpoint_url": "https://minio.internal:9000",
        "region_name": "us-east-1",
        "access_key": "key",
        "secret_key": "secret",
        "location": "prod",
        "default_acl": "private",
        "querystring_auth": False,  # no link into the bucket ever opens a file
        "file_overwrite": False,  # a name already taken gets a new one, as on disk
        "max_memory_size": 5 * 1024 * 1024,
    }
    assert client.s3 == {"addressing_style": "path"}
    assert client.signature_version == "s3v4"
    assert (client.request_checksum_calculation, client.response_checksum_validation) == ("when_required", "when_required")


def test_unset_optional_variables_leave_boto3_its_defaults():
    options = default_storage_from_env({"STORAGE_BACKEND": " S3 ", "S3_BUCKET": "b"})["OPTIONS"]
    assert not {"endpoint_url", "region_name", "access_key", "secret_key"} & set(options)
    assert options["location"] == "" and options["client_config"].s3 == {"addressing_style": "auto"}


@pytest.mark.parametrize(
    ("value", "acl"), [(None, "private"), ("", None), ("bucket-owner-full-control", "bucket-owner-full-control")]
)
def test_the_acl_is_private_unless_set_and_none_when_set_empty(value, acl):
    environ = {"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", **({} if value is None else {"S3_ACL": value})}
    assert default_storage_from_env(environ)["OPTIONS"]["default_acl"] == acl


def test_an_unknown_addressing_style_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="S3_ADDRESSING_STYLE"):
        default_storage_from_env({**MINIO, "S3_ADDRESSING_STYLE": "subdomain"})


def test_a_storage_class_is_used_as_it_is_and_the_old_s3_name_gets_the_s3_options():
    assert default_storage_from_env({"STORAGE_BACKEND": "myproject.storage.Vault"}) == {"BACKEND": "myproject.storage.Vault"}
    old = default_storage_from_env({**MINIO, "STORAGE_BACKEND": "storages.backends.s3boto3.S3Boto3Storage"})
    assert old["BACKEND"] == "storages.backends.s3boto3.S3Boto3Storage" and old["OPTIONS"]["bucket_name"] == "aftersales"


def test_the_deploy_check_wants_a_bucket_https_and_both_keys_or_none():
    assert storage_problems({"BACKEND": FILESYSTEM_BACKEND}) == []
    assert storage_problems(default_storage_from_env(MINIO)) == []
    assert ids(storage_problems(default_storage_from_env({**MINIO, "S3_BUCKET": ""}))) == ["storage.E001"]
    plain = default_storage_from_env({**MINIO, "S3_ENDPOINT_URL": "http://minio.internal:9000"})
    assert ids(storage_problems(plain)) == ["storage.W001"]
    one_key = default_storage_from_env({**MINIO, "S3_SECRET_ACCESS_KEY": ""})
    assert ids(storage_problems(one_key)) == ["storage.W002"]
    no_keys = default_storage_from_env({k: v for k, v in MINIO.items() if not k.endswith(("KEY_ID", "ACCESS_KEY"))})
    assert storage_problems(no_keys) == []  # boto3's own chain: an instance role


def test_check_deploy_reports_an_s3_storage_without_a_bucket(settings):
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env({"STORAGE_BACKEND": "s3"})}
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "storage.E001" in ids(found)
    assert isinstance(next(p for p in found if p.id == "storage.E001"), checks.Error)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": FILESYSTEM_BACKEND}}
    assert not [
        i for i in ids(checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])) if i.startswith("storage.")
    ]

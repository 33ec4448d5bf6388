"""Settings for the test suite: the product's settings with AFTERSALES_ENV=test.

pytest-django imports settings before any conftest runs, so the environment is chosen here.
"""

import os

os.environ.setdefault("AFTERSALES_ENV", "test")

from aftersales.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing

# A browser test that needs the rows the data migrations wrote (categories, service levels…) asks
# for ``django_db_serialized_rollback``: they are put back before it, after other browser tests'
# flushes emptied the tables. Content types and permissions are not put back: the flush's
# post_migrate signal has already created them again, under new keys.
TEST_NON_SERIALIZED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]

"""Settings for the test suite: the product's settings with AFTERSALES_ENV=test.

pytest-django imports settings before any conftest runs, so the environment is chosen here.
"""

import os

os.environ.setdefault("AFTERSALES_ENV", "test")

from aftersales.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing

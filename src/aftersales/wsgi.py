"""WSGI entry point for the production server (gunicorn, see deploy/gunicorn.conf.py).

The URL configuration (every page's views, the API with its schemas) is imported here, not at the
first request: gunicorn preloads this module in its master, so the workers fork with it loaded.
Left to the first request, each worker would import it itself — seconds on a busy machine, past
gunicorn's worker timeout — and the health check would see the workers killed while they start.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports the URL configuration now (see above)

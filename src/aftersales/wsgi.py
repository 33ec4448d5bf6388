"""WSGI entry point for the production server (gunicorn, see deploy/gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

application = get_wsgi_application()

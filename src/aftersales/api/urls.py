from django.urls import path, re_path

from .api import api
from .edge import edged, unknown_path

# Every operation's view with the edge's rules (problems for 404/405, rate-limit headers), then
# every other path under v1/ as a 404 problem — after the operations, so it shadows none.
_patterns, _app_name, _namespace = api.urls
urlpatterns = [
    path("v1/", (edged(_patterns), _app_name, _namespace)),
    re_path(r"^v1/", unknown_path),
]

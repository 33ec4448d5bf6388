from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("templates/<slug:kind>.<slug:fmt>", views.template_file, name="template"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/commit/", views.import_commit, name="commit"),
    path("<int:pk>/retry/", views.import_retry, name="retry"),
    path("<int:pk>/discard/", views.import_discard, name="discard"),
    path("<int:pk>/errors.csv", views.error_report, name="errors"),
]

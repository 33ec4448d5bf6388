from django.urls import path

from . import views

app_name = "casefile"

# Included under /tickets/ (next to the ticket pages): /tickets/<number>/case-file.pdf
urlpatterns = [
    path("<str:number>/case-file.pdf", views.ticket_case_file, name="ticket_pdf"),
]

from django.urls import path

from registration import views

app_name = "registration"

urlpatterns = [
    path("choix-de-cours/", views.choice, name="choice"),
    path("choix-de-cours/confirmation/", views.choice_done, name="choice_done"),
    path("choix-de-cours/imprimer/", views.choice_print, name="choice_print"),
    path("confirmation-inscription/", views.confirmation, name="confirmation"),
]

from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("attestations/", views.attestations, name="attestations"),
    path("attestations/<id:pk>/pdf/", views.attestation_download, name="attestation_pdf"),
    path("verifier/", views.verify, name="verify"),
    path("verifier/<str:code>/", views.verify_code, name="verify_code"),
]

from django.urls import path

from certificates import views, views_tax

app_name = "certificates"

urlpatterns = [
    path("attestations/", views.attestations, name="attestations"),
    path("attestations/<id:pk>/pdf/", views.attestation_download, name="attestation_pdf"),
    path("verifier/", views.verify, name="verify"),
    path("verifier/<str:code>/", views.verify_code, name="verify_code"),
]

urlpatterns += [
    path("releves-impot/", views_tax.tax_slips, name="tax_slips"),
    path("releves-impot/<id:pk>/pdf/", views_tax.tax_slip_pdf, name="tax_slip_pdf"),
]

from django.urls import path

from billing import payment_views, views

app_name = "billing"

urlpatterns = [
    path("", views.statement, name="statement"),
    path("factures/<str:number>/", views.invoice_detail, name="invoice"),
    path("selection/", views.selection, name="selection"),
    path("coordonnees/", views.contact, name="contact"),
    path("payer/", views.pay, name="pay"),
    path("demo/<str:reference>/", payment_views.demo_pay, name="demo_pay"),
    path("paiements/<str:reference>/", payment_views.payment_status, name="payment"),
    path("stripe/retour/", views.stripe_return, name="stripe_return"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("recus/<str:number>/", views.receipt, name="receipt"),
    path("recus/<str:number>/pdf/", views.receipt_pdf, name="receipt_pdf"),
]

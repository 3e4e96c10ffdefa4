from django.urls import path

from parents.views import account, children, help, store

app_name = "parents"

urlpatterns = [
    # Before login: the parents' login, account creation, password reset, help.
    path("", account.login_view, name="login"),
    path("creer/", account.signup_email, name="signup"),
    path("creer/renseignements/", account.signup_details, name="signup_details"),
    path("activer/<uidb64>/<token>/", account.activate, name="activate"),
    path("reinitialiser/", account.reset_start, name="reset"),
    path("reinitialiser/question/", account.reset_question, name="reset_question"),
    path("aide/", help.faq, name="faq"),
    path("contacter-l-ecole/", help.contact, name="contact"),
    # A parent's pages.
    path("accueil/", children.home, name="home"),
    path("enfants/<id:student_id>/", children.child, name="child"),
    path("enfants/<id:student_id>/services-en-ligne/", store.store, name="store"),
    path("enfants/<id:student_id>/panier/", store.cart, name="cart"),
    path("enfants/<id:student_id>/panier/ajouter/", store.cart_add, name="cart_add"),
    path("enfants/<id:student_id>/panier/payer/", store.checkout, name="checkout"),
    path("achats/", store.orders, name="orders"),
    path("achats/<str:number>/payer/", store.order_pay, name="order_pay"),
    path("achats/<str:number>/annuler/", store.order_cancel, name="order_cancel"),
]

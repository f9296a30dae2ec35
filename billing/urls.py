from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("premium/", views.premium, name="premium"),
    path("premium/checkout/", views.checkout, name="checkout"),
    path("premium/portal/", views.portal, name="portal"),
    path("premium/success/", views.success, name="success"),
    path("premium/status/", views.status, name="status"),
    path("premium/boost/", views.boost, name="boost"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]

from django.urls import path

from submissions import views

app_name = "submissions"

urlpatterns = [
    path("submit/", views.submit, name="submit"),
    path("receipt/", views.receipt_login, name="receipt_login"),
    path("receipt/case/", views.receipt_case, name="receipt_case"),
    path("receipt/message/", views.receipt_message, name="receipt_message"),
    path("receipt/consent/", views.receipt_consent, name="receipt_consent"),
    path("receipt/never-name/", views.receipt_never_name, name="receipt_never_name"),
    path("receipt/logout/", views.receipt_logout, name="receipt_logout"),
    path("receipt/delete/", views.receipt_delete, name="receipt_delete"),
    path("receipt/download/", views.receipt_download, name="receipt_download"),
]

from django.urls import path

from communications import feeds, views

app_name = "communications"

urlpatterns = [
    path("communications/", views.archive, name="archive"),
    path("communications/feed/", feeds.ReleasesFeed(), name="feed"),
    path("communications/feed/<str:recipient>/", feeds.ReleasesFeed(), name="feed_recipient"),
    path("communications/export.csv", views.export_csv, name="export_csv"),
    path("communications/stats/", views.statistics, name="stats"),
    path("communications/<slug:slug>/", views.detail, name="detail"),
    path("communications/<slug:slug>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("communications/<slug:slug>/replies/<int:reply_id>/document", views.reply_document, name="reply_document"),
]

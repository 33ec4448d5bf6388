from django.urls import path

from . import delivery_views, receipt_views, template_views, views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
    path("deliveries/failed/", delivery_views.failed_deliveries_page, name="failed_deliveries"),
    # Delivery receipts pushed by the providers (docs/notifications.md, "Delivery receipts").
    path("receipts/aliyun/<str:token>/", receipt_views.aliyun_receipts_callback, name="receipts_aliyun"),
    path("receipts/tencent/<str:token>/", receipt_views.tencent_receipts_callback, name="receipts_tencent"),
    path("receipts/wechat/", receipt_views.wechat_receipts_callback, name="receipts_wechat"),
    path("templates/", template_views.index, name="templates"),
    path("templates/replies/", template_views.reply_list, name="reply_list"),
    path("templates/replies/new/", template_views.reply_new, name="reply_new"),
    path("templates/replies/picker/", template_views.reply_picker, name="reply_picker"),
    path("templates/replies/render/", template_views.reply_render, name="reply_render"),
    path("templates/replies/<int:pk>/", template_views.reply_edit, name="reply_edit"),
    path("templates/<str:event>/<str:channel>/<str:language>/", template_views.edit, name="template_edit"),
    path("templates/<str:event>/<str:channel>/<str:language>/preview/", template_views.preview, name="template_preview"),
    path("templates/<str:event>/<str:channel>/<str:language>/test/", template_views.test_send, name="template_test"),
    path(
        "templates/<str:event>/<str:channel>/<str:language>/restore/<int:version>/",
        template_views.restore,
        name="template_restore",
    ),
]

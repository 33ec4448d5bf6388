from django.contrib.auth import views as auth_views
from django.urls import path

from . import staff_pages, two_factor, views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    # Django's LogoutView accepts POST only, so a link or a prefetch cannot sign anybody out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by e-mail, staff and customers alike (accounts/views.py; issue 21).
    path("password/reset/", views.ResetRequestView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.ResetDoneView.as_view(), name="password_reset_done"),
    # Customers without an e-mail address: a six-digit code by SMS (accounts/sms_reset.py);
    # before the e-mail link's pattern, which would take "sms/code/" for a uid and a token.
    path("password/reset/sms/", views.sms_reset_request_view, name="password_reset_sms"),
    path("password/reset/sms/code/", views.sms_reset_code_view, name="password_reset_sms_code"),
    path("password/reset/<uidb64>/<token>/", views.ResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", views.ResetCompleteView.as_view(), name="password_reset_complete"),
    # My account: sign-in security; two-step sign-in with an authenticator app (TOTP; two_factor.py).
    path("security/", two_factor.security, name="security"),
    path("two-factor/", two_factor.setup, name="two_factor_setup"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/disable/", two_factor.disable, name="two_factor_disable"),
    path("sign-out-elsewhere/", two_factor.sign_out_elsewhere, name="sign_out_elsewhere"),
    # Administrators: the staff list, a person's page and "hand over and deactivate" (staff_pages.py).
    path("staff/", staff_pages.staff_list_page, name="staff_list"),
    path("staff/<int:user_id>/", staff_pages.staff_detail_page, name="staff_detail"),
]

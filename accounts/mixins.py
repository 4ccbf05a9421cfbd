from functools import wraps

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .roles import is_academy_staff, needs_two_factor_setup


class AcademyStaffRequiredMixin(AccessMixin):
    """Visitors are sent to sign in; signed-in people without the staff role get 403.

    Where the deployment requires it, staff without two-factor authentication are sent to set
    it up before they reach any staff page.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_academy_staff(request.user):
            raise PermissionDenied("Only academy staff can see this page.")
        if needs_two_factor_setup(request.user):
            messages.info(request, "Set up two-factor authentication to use the staff area.")
            return redirect("mfa_activate_totp")
        return super().dispatch(request, *args, **kwargs)


def academy_staff_required(view):
    """The same gate as AcademyStaffRequiredMixin, for function views."""

    @wraps(view)
    def gated(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_academy_staff(request.user):
            raise PermissionDenied("Only academy staff can see this page.")
        if needs_two_factor_setup(request.user):
            messages.info(request, "Set up two-factor authentication to use the staff area.")
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return gated

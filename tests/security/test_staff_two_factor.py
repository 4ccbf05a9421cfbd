"""One two-factor gate in front of every staff page, action and the admin; the admin writes the
audit trail for what it may change and cannot change what the staff pages own."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.roles import ACADEMY_STAFF_GROUP
from audit.models import AuditEvent
from compact.models import Version
from tests.factories import LeaderFactory, StaffFactory, UserFactory, published_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.STAFF_REQUIRE_MFA = True


def _with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def _superuser(**kwargs):
    return UserFactory(is_staff=True, is_superuser=True, **kwargs)


def test_the_admin_sends_a_superuser_without_two_factor_to_set_it_up(client):
    client.force_login(_superuser())
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_a_superuser_without_two_factor_cannot_change_an_account_in_the_admin(client):
    leader = LeaderFactory(full_name="Unchanged Name")
    client.force_login(_superuser())
    url = reverse("admin:accounts_user_change", args=[leader.pk])
    response = client.post(url, {"email": leader.email, "full_name": "Changed By Admin"})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert User.objects.get(pk=leader.pk).full_name == "Unchanged Name"


def test_a_superuser_with_two_factor_reaches_the_admin(client):
    client.force_login(_with_totp(_superuser()))
    assert client.get("/admin/").status_code == 200


def test_staff_without_two_factor_can_still_set_it_up_sign_out_and_read_their_own_account(client):
    client.force_login(StaffFactory())
    # allauth asks for the password again before two-factor set-up; both pages answer, no loop.
    set_up = client.get(reverse("mfa_activate_totp"), follow=True)
    assert set_up.status_code == 200 and set_up.request["PATH_INFO"] == reverse("account_reauthenticate")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200


def test_staff_without_two_factor_are_sent_to_set_it_up_from_public_pages_that_show_staff_more(client):
    version = published_version()
    client.force_login(StaffFactory())
    for url in (version.compact.get_absolute_url(), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_where_two_factor_is_not_required_staff_are_not_sent_to_set_it_up(client, settings):
    settings.STAFF_REQUIRE_MFA = False
    client.force_login(StaffFactory())
    assert client.get(reverse("compact:staff_dashboard")).status_code == 200


# --- the admin and the audit trail -----------------------------------------------------------------
def _admin_client(client):
    admin_user = _with_totp(_superuser(full_name="Ada Admin"))
    client.force_login(admin_user)
    return admin_user


def test_making_someone_academy_staff_in_the_admin_writes_an_audit_event_with_before_and_after(client):
    admin_user = _admin_client(client)
    leader = LeaderFactory()
    group, _ = Group.objects.get_or_create(name=ACADEMY_STAFF_GROUP)
    url = reverse("admin:accounts_user_change", args=[leader.pk])
    response = client.post(
        url,
        {
            "email": leader.email,
            "full_name": leader.full_name,
            "job_title": leader.job_title,
            "organisation_name": leader.organisation_name,
            "is_active": "on",
            "groups": [group.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert leader.groups.filter(pk=group.pk).exists()
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(leader.pk))
    assert event.actor_id == admin_user.pk
    assert event.object_type == "accounts.user"
    assert event.before["groups"] == [] and event.after["groups"] == [ACADEMY_STAFF_GROUP]


def test_changing_a_password_in_the_admin_is_audited_without_the_password(client):
    _admin_client(client)
    leader = LeaderFactory()
    url = reverse("admin:auth_user_password_change", args=[leader.pk])
    response = client.post(
        url, {"password1": "A-new-long-password-99", "password2": "A-new-long-password-99"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(leader.pk))
    assert "A-new-long-password-99" not in str(event.before) + str(event.after)


def test_deleting_an_account_in_the_admin_is_audited(client):
    _admin_client(client)
    leader = LeaderFactory()
    url = reverse("admin:accounts_user_delete", args=[leader.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=leader.pk).exists()
    assert AuditEvent.objects.filter(action="admin.deleted", object_id=str(leader.pk)).count() == 1


def test_removing_someones_two_factor_in_the_admin_is_audited(client):
    _admin_client(client)
    staff = _with_totp(StaffFactory())
    authenticator = Authenticator.objects.get(user=staff)
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.filter(action="admin.deleted", object_type="mfa.authenticator").count() == 1


def test_the_admin_cannot_change_a_version_that_the_staff_pages_own(client):
    _admin_client(client)
    version = published_version()
    change = reverse("admin:compact_version_change", args=[version.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(change, {"status": "draft", "number": version.number})
    assert response.status_code == 403
    assert Version.objects.get(pk=version.pk).status == Version.Status.PUBLISHED
    assert (
        client.post(reverse("admin:compact_version_delete", args=[version.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:compact_version_add")).status_code == 403

"""Who is academy staff is read once per request, never remembered across requests."""

import pytest
from django.urls import reverse

from tests.consultation.factories import open_round

pytestmark = pytest.mark.django_db


def test_a_person_removed_from_academy_staff_is_refused_on_their_next_request(staff_client, staff):
    round = open_round(staff=staff)
    staff_page = reverse("consultation:staff_round", kwargs={"pk": round.pk})
    assert staff_client.get(staff_page).status_code == 200
    staff.groups.clear()  # as an administrator would, with no signal anyone must hear
    assert staff_client.get(staff_page).status_code == 403


def test_a_person_made_academy_staff_is_let_in_on_their_next_request(client, leader, staff):
    round = open_round(staff=staff)
    staff_page = reverse("consultation:staff_round", kwargs={"pk": round.pk})
    client.force_login(leader)
    assert client.get(staff_page).status_code == 403
    leader.groups.set(staff.groups.all())
    assert client.get(staff_page).status_code == 200

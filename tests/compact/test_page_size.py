"""Browsers get the public compact page compressed: under 10 kB on the wire at national scale."""

import dataclasses
import gzip

import pytest

from benchmarks.generate import NATIONAL, generate

pytestmark = pytest.mark.django_db

LIMIT = 10_000


def on_the_wire(client, path):
    response = client.get(path, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    return len(response.content), html


def test_the_demo_compact_page_is_gzipped_and_under_ten_kilobytes(client, demo):
    size, html = on_the_wire(client, "/compacts/leadership-compact/")
    assert "Our shared vision" in html
    assert size < LIMIT


def test_a_national_compact_page_of_two_hundred_commitments_is_under_ten_kilobytes(client):
    # The benchmark's national data, less the votes and comments the public page does not show.
    generate(dataclasses.replace(NATIONAL, name="page", leaders=300, votes=300, comments=100, proposals=40))
    size, html = on_the_wire(client, "/compacts/national/")
    assert html.count("app-history-link") == NATIONAL.commitments
    assert size < LIMIT

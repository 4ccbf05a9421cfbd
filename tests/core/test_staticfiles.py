"""Static addresses are worked out once per process, and exactly as the storages would."""

import json

import pytest
from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

from core.staticfiles import ManifestStaticStorage, StaticStorage


@pytest.fixture
def manifest(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"build/app.css": "build/app.6f5ab7112b92.css"}, "hash": "x"})
    )
    return tmp_path


def test_production_addresses_are_the_manifests_hashed_names(manifest, monkeypatch):
    remembering = ManifestStaticStorage(location=manifest, base_url="/static/")
    plain = CompressedManifestStaticFilesStorage(location=manifest, base_url="/static/")

    assert (
        remembering.url("build/app.css") == plain.url("build/app.css") == "/static/build/app.6f5ab7112b92.css"
    )
    # Asked again, the address is remembered, not looked up: the manifest is not read.
    monkeypatch.setattr(remembering, "hashed_files", {})
    assert remembering.url("build/app.css") == "/static/build/app.6f5ab7112b92.css"


def test_a_file_missing_from_the_manifest_still_fails_and_is_not_remembered(manifest):
    remembering = ManifestStaticStorage(location=manifest, base_url="/static/")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            remembering.url("nope.css")
    assert "nope.css" not in remembering._addresses


def test_development_addresses_match_djangos(tmp_path):
    for name in ("build/app.css", "js/share.js", "images/a b&c.svg"):
        assert StaticStorage(location=tmp_path, base_url="/static/").url(name) == StaticFilesStorage(
            location=tmp_path, base_url="/static/"
        ).url(name)

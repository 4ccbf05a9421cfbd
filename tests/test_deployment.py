"""What the deployment files promise: the compose file's shape, the proxy, and installs that
take exactly the locked, hashed versions."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = [
    name for name, service in SERVICES.items() if service.get("image") == "leadership-compact:latest"
]


def test_two_web_replicas_run_behind_one_proxy_that_compresses_responses():
    assert SERVICES["web"]["deploy"]["replicas"] == 2
    proxy = SERVICES["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"^\s*encode\b.*\bgzip\b", caddyfile, re.MULTILINE)
    # Every replica of "web", found by name, not one fixed address.
    assert re.search(
        r"dynamic a \{\s*name \{\$WEB_UPSTREAM_NAME:web\}\s*port \{\$WEB_UPSTREAM_PORT:8000\}", caddyfile
    )
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_is_health_checked_on_readyz_and_migrated_once_before_it_starts():
    assert "/readyz" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" in SERVICES["migrate"]["command"]
    assert "migrate" not in SERVICES["web"]["command"]
    assert "config/gunicorn_conf.py" in SERVICES["web"]["command"]  # health checks out of the log


def test_every_app_container_stores_files_in_the_object_store_and_keeps_none_itself():
    environment = COMPOSE["x-app"]["environment"]
    assert environment["AWS_STORAGE_BUCKET_NAME"]
    assert environment["AWS_S3_ENDPOINT_URL"].endswith("minio:9000}")
    assert "MEDIA_ROOT" not in environment
    for name in APP_SERVICES:
        assert not SERVICES[name].get("volumes"), f"{name} keeps files of its own"
        assert SERVICES[name]["depends_on"]["bucket"]["condition"] == "service_completed_successfully"


def test_the_bucket_is_created_once_and_allows_no_anonymous_access():
    bucket = SERVICES["bucket"]
    assert bucket["restart"] == "no"
    assert bucket["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "mc mb --ignore-existing" in bucket["entrypoint"]
    assert "mc anonymous set none" in bucket["entrypoint"]
    assert "ports" not in SERVICES["minio"]


def test_pdfs_and_mail_have_workers_of_their_own():
    assert "--queues=pdf" in SERVICES["worker-pdf"]["command"]
    assert "--queues=mail,celery" in SERVICES["worker"]["command"]
    for name in ("worker", "worker-pdf"):
        assert "--prefetch-multiplier=1" in SERVICES[name]["command"]


def test_only_the_proxy_publishes_a_port():
    assert [name for name, service in SERVICES.items() if service.get("ports")] == ["proxy"]


def pins(lock):
    pinned = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if match:
            pinned[canonicalize_name(match[1])] = match[2]
    return pinned


def declared(extra=None):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(text) for text in listed]


def test_the_locks_pin_every_declared_dependency_within_its_range():
    # Fails when pyproject.toml changed and `make lock` was not run.
    for lock, extra in (("base.txt", None), ("test.txt", "test")):
        pinned = pins(lock)
        for requirement in declared(extra):
            name = canonicalize_name(requirement.name)
            assert name in pinned, f"{requirement.name} is not in requirements/{lock}: run make lock"
            assert requirement.specifier.contains(pinned[name], prereleases=True), (
                f"requirements/{lock} pins {requirement.name}=={pinned[name]}, outside {requirement.specifier}"
            )


def test_the_runtime_lock_is_the_test_locks_runtime_part():
    # The image runs exactly the versions the tests ran.
    test_pins = pins("test.txt")
    assert {name: test_pins.get(name) for name in pins("base.txt")} == pins("base.txt")


def test_every_locked_package_carries_a_hash():
    for lock in ("base.txt", "test.txt"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / lock).read_text())
        for entry in entries:
            if "==" in entry.split("\n", 1)[0]:
                assert "--hash=sha256:" in entry, f"{entry.splitlines()[0]} has no hash in {lock}"


def test_make_the_image_and_ci_install_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements/test.txt" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements/base.txt" in dockerfile
    # CI installs through make's targets only, so from the lock.
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "pip install" not in ci

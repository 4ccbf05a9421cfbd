"""`make screenshots`: the public compact page, a round page, the signatories list (and its map
of regions alone) and a closed round's results (each question's totals as a bar chart beside a
table), on a desktop and a phone, from a fresh demo database served by runserver, captured with
Debian's Chromium.

Each picture is the whole page (both party columns on a desktop, everything on a phone). The round
is the demo's open round, seen by a signed-in leader (with their progress), and the signatories are
those of the published version: both are found from the compact page rather than assumed. The
results are the demo's first round's, the one round whose results are applied.
SCREENSHOT_PORT chooses the port of the demo server (8765 unless set)."""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PORT = int(os.environ.get("SCREENSHOT_PORT", "8765"))
COMPACT = "/compacts/leadership-compact/"
LEADER = ("leader@example.org", "compact-demo-2026")
APPLIED_ROUND = "from consultation.models import Round; print(Round.objects.get(status='applied').pk)"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


def main():
    database = Path(tempfile.mkdtemp()) / "screenshots.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "1"}
    env.pop("CELERY_BROKER_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    server = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{PORT}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)  # noqa: S310 - local
                break
            except OSError:
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        base = f"http://127.0.0.1:{PORT}"
        compact_page = urllib.request.urlopen(base + COMPACT, timeout=10).read().decode()  # noqa: S310 - local
        # The demo's first round, closed and applied: its results drawn as charts.
        applied = subprocess.run(
            [python, "manage.py", "shell", "--no-imports", "-c", APPLIED_ROUND],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        pages = {
            "compact": (COMPACT, False),
            "round": (re.search(r'href="(/rounds/\d+/)"', compact_page).group(1), True),
            "signatories": (re.search(r'href="([^"]+/signatories/)"', compact_page).group(1), False),
            "results": (f"/rounds/{applied}/results/", False),
        }
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for size_name, viewport in SIZES.items():
                for name, (path, as_leader) in pages.items():
                    context = browser.new_context(viewport=viewport)
                    page = context.new_page()
                    if as_leader:
                        page.goto(base + "/accounts/login/")
                        page.get_by_label("Email").fill(LEADER[0])
                        page.get_by_label("Password").fill(LEADER[1])
                        page.get_by_role("button", name="Sign In").click()
                        page.wait_for_load_state()
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    target = OUT / f"{name}-{size_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
                    if name == "signatories" and size_name == "desktop":  # the map, for the README
                        target = OUT / "signatories-map.png"
                        page.locator(".app-by-region").screenshot(path=str(target))
                        print(target.relative_to(ROOT))
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

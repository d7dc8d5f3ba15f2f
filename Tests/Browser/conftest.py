"""Fixtures for the browser tests (helpers live in jiuzhu_browser.py).

`app` (session): a real `jiuzhu serve --demo` on a free port with a fresh SQLite
file; `driver`: a fresh headless Chromium per test; `totp_clock`: TOTP codes
that are never replayed. On failure the server's output is printed in the
summary and a screenshot FAILED-<test>.png is saved.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from jiuzhu_browser import (
    ARTIFACTS,
    CHROMEDRIVER,
    LOGINS_GRACE,
    REPO_ROOT,
    SCREENSHOTS,
    STARTUP_TIMEOUT,
    Server,
    TotpClock,
    chrome_options,
)

_SERVER: Server | None = None


def _binary() -> Path:
    raw = os.environ.get("JIUZHU_BIN", ".build/debug/jiuzhu")
    path = Path(raw)
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


def pytest_sessionstart(session):
    # Screenshots are this run's only: drop the previous run's.
    if SCREENSHOTS.is_dir():
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()


@pytest.fixture(scope="session")
def app():
    global _SERVER
    binary = _binary()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"jiuzhu binary not found at {binary} (build it, or set JIUZHU_BIN)", pytrace=False)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    db_dir = Path(tempfile.mkdtemp(prefix="jiuzhu-browser-"))
    server = Server()
    _SERVER = server
    try:
        server.start(binary, db_dir)
        try:
            server.wait_healthy(STARTUP_TIMEOUT)
        except RuntimeError as e:
            pytest.fail(f"{e}\n--- server output ---\n{server.output}", pytrace=False)
        server.wait_logins(LOGINS_GRACE)
        yield server
    finally:
        server.stop()
        shutil.rmtree(db_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def totp_clock() -> TotpClock:
    return TotpClock()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    failed = terminalreporter.stats.get("failed", []) + terminalreporter.stats.get("error", [])
    if _SERVER is None:
        return
    if failed:
        terminalreporter.section("jiuzhu server output")
        terminalreporter.write(_SERVER.output or "(no output)\n")
    terminalreporter.write_line(f"server log: {ARTIFACTS / 'server.log'}; screenshots: {SCREENSHOTS}")


@pytest.fixture
def driver(request):
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=chrome_options())
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                drv.save_screenshot(str(SCREENSHOTS / f"FAILED-{request.node.name}.png"))
            except Exception:
                pass
        drv.quit()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, "rep_" + rep.when, rep)
    return rep



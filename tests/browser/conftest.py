"""Browser tests: a live uvicorn server on 127.0.0.1 over the ingested corpus, driven by
Playwright through Debian's Chromium (/usr/bin/chromium). Playwright never downloads a browser
here: the executable is given, and without it every test is skipped with the reason."""
from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("JDIH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is missing: install Debian's chromium "
                                                        "(`make test` does) to run the browser tests"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving ``create_app(settings)`` in a thread of the test process."""

    def __init__(self, settings):
        import uvicorn

        from jdih_server.app import create_app

        self.settings = settings
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings, rate_limit="0")
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                   log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server on port {self.port} did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="session")
def live_server(ingested_settings):
    """The app over the whole shipped corpus."""
    with LiveServer(ingested_settings) as server:
        yield server


def create_token(data_dir: Path, name: str, role: str = "staff") -> str:
    """A token made the way an admin makes one: `jdih token create --role staff --name ...`."""
    jdih = Path(sys.executable).with_name("jdih")
    out = subprocess.run([str(jdih), "token", "create", "--role", role, "--name", name], check=True,
                         capture_output=True, text=True, env={**os.environ, "JDIH_DATA_DIR": str(data_dir)}, cwd=ROOT)
    return [line for line in out.stdout.splitlines() if line.strip()][-1].strip()


@pytest.fixture(scope="session")
def fresh_server(tmp_path_factory):
    """The app over an empty knowledge base, for uploads from the staff screen; with a staff token."""
    from ingest.config import get_settings

    settings = dataclasses.replace(get_settings(), data_dir=tmp_path_factory.mktemp("kb-fresh"))
    with LiveServer(settings) as server:
        server.token = create_token(settings.data_dir, "browser-test")
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture
def shot():
    """``shot(page, "search-results")`` saves test-output/screenshots/search-results.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(pg, name: str, full_page: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=full_page)
        return path

    return save

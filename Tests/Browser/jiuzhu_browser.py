"""Helpers for the browser tests: the server, TOTP, Chromium options, pages.

`Server` starts the binary (env JIUZHU_BIN, default
.build/debug/jiuzhu under the repo root) on a free port with a fresh SQLite
file, waits for GET /healthz -> 200 and collects the demo accounts the server
prints on stdout as

    DEMO-LOGIN role=<roleCode> user=<username> password=<password> totp=<base32> region=<code>

The server's output is kept by a background thread (so the pipe never fills),
written to artifacts/server.log, and printed in the summary when a test fails.
"""

from __future__ import annotations

import base64
import hmac
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

STARTUP_TIMEOUT = 120.0  # seconds until /healthz answers 200
LOGINS_GRACE = 15.0  # seconds after healthy to wait for all DEMO-LOGIN lines

ROLE_CODES = (
    "village_assistant",
    "township_caseworker",
    "township_approver",
    "county_reviewer",
    "verification_officer",
    "payment_officer",
    "city_supervisor",
    "province_supervisor",
    "system_admin",
    "security_admin",
    "audit_admin",
    "department_officer",
)

CHROMIUM_BINARY = os.environ.get("JIUZHU_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("JIUZHU_CHROMEDRIVER", "/usr/bin/chromedriver")


# --------------------------------------------------------------------------
# TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second step)

TOTP_STEP = 30


def totp_at(secret: str, counter: int, digits: int = 6) -> str:
    key = secret.strip().replace(" ", "").upper()
    key += "=" * (-len(key) % 8)
    mac = hmac.new(base64.b32decode(key), struct.pack(">Q", counter), "sha1").digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp_now(secret: str, now: float | None = None) -> str:
    return totp_at(secret, int((time.time() if now is None else now) // TOTP_STEP))


class TotpClock:
    """Hands out TOTP codes so that no user ever gets the same time step twice
    (the server rejects a replayed code), and never a code about to expire.

    `shift_seconds` is how far the server's clock runs ahead of real time (the
    demo clock, POST /demo/clock): codes are computed for the server's time.
    It may only grow, so the steps already used stay behind the new ones."""

    def __init__(self) -> None:
        self._last_step: dict[str, int] = {}
        self.shift_seconds: float = 0.0

    def now(self) -> float:
        """The server's time as the codes see it: real time plus the shift."""
        return time.time() + self.shift_seconds

    def code_for(self, user: str, secret: str, min_remaining: float = 3.0) -> str:
        while True:
            now = self.now()
            step = int(now // TOTP_STEP)
            remaining = (step + 1) * TOTP_STEP - now
            if self._last_step.get(user, -1) >= step or remaining < min_remaining:
                time.sleep(remaining + 0.2)
                continue
            self._last_step[user] = step
            return totp_at(secret, step)

    def mark_used(self, user: str) -> None:
        """Burn the current step for `user` (e.g. after a failed attempt)."""
        self._last_step[user] = max(self._last_step.get(user, -1), int(self.now() // TOTP_STEP))


# --------------------------------------------------------------------------
# The server


@dataclass(frozen=True)
class DemoLogin:
    role: str
    user: str
    password: str
    totp: str
    region: str


def parse_demo_login(line: str) -> DemoLogin | None:
    line = line.strip()
    if not line.startswith("DEMO-LOGIN "):
        return None
    fields = {}
    for token in line.split(" ")[1:]:
        if "=" in token:
            k, v = token.split("=", 1)
            fields[k] = v
    try:
        return DemoLogin(
            role=fields["role"],
            user=fields["user"],
            password=fields["password"],
            totp=fields["totp"],
            region=fields["region"],
        )
    except KeyError:
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.lines: list[str] = []
        self.logins: dict[str, DemoLogin] = {}
        self.login_lines: list[str] = []
        self.command: list[str] = []
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._log_file = None

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(self.lines)

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line)
                login = parse_demo_login(line)
                if login is not None:
                    self.login_lines.append(line.rstrip("\n"))
                    self.logins.setdefault(login.role, login)
            if self._log_file is not None:
                self._log_file.write(line)
                self._log_file.flush()

    def start(self, binary: Path, db_dir: Path) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env["DATABASE_URL"] = f"sqlite://{db_dir / 'demo.sqlite'}"  # sqlite:///tmp/.../demo.sqlite
        cmd = [str(binary), "serve", "--demo", "--hostname", "127.0.0.1", "--port", str(port)]
        # Swift's stdout is block-buffered on a pipe: ask glibc for line buffering
        # so DEMO-LOGIN lines arrive as they are printed.
        stdbuf = shutil.which("stdbuf")
        self.command = ([stdbuf, "-oL", "-eL"] if stdbuf else []) + cmd
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._log_file = open(ARTIFACTS / "server.log", "w", encoding="utf-8")
        self._log_file.write(f"$ DATABASE_URL={env['DATABASE_URL']} {' '.join(cmd)}\n")
        self.proc = subprocess.Popen(
            self.command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name="jiuzhu-stdout", daemon=True)
        self._reader.start()

    def wait_healthy(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                raise RuntimeError(f"server exited with status {code} before /healthz answered")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return
                    last_error = f"status {resp.status}"
            except urllib.error.HTTPError as e:
                last_error = f"status {e.code}"
            except (urllib.error.URLError, OSError) as e:
                last_error = str(e)
            time.sleep(0.25)
        raise RuntimeError(f"/healthz did not answer 200 within {timeout:.0f}s (last: {last_error})")

    def wait_logins(self, grace: float) -> None:
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            with self._lock:
                if all(r in self.logins for r in ROLE_CODES):
                    return
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def login(self, role: str) -> DemoLogin:
        with self._lock:
            login = self.logins.get(role)
            seen = sorted(self.logins)
        if login is None:
            pytest.fail(
                f"no DEMO-LOGIN line for role={role} on the server's stdout (roles seen: {seen})",
                pytrace=False,
            )
        return login


# --------------------------------------------------------------------------
# The browser


def chrome_options() -> Options:
    options = Options()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=zh-CN",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    options.binary_location = CHROMIUM_BINARY
    return options


# --------------------------------------------------------------------------
# Page helpers shared by the tests


def wait_for(drv, predicate, timeout: float = 20.0, message: str = ""):
    try:
        # A page that navigates while the predicate reads it gives a stale element: read it again.
        return WebDriverWait(drv, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: predicate(d))
    except TimeoutException:
        raise AssertionError(
            f"timed out: {message} (url={drv.current_url}, title={drv.title!r})\n"
            f"--- page ---\n{drv.find_element(By.TAG_NAME, 'body').text[:2000]}"
        ) from None


def fill_login(drv, base_url: str, user: str, password: str, code: str) -> None:
    drv.get(base_url + "/login")
    form = wait_for(
        drv,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#login-form") and d.find_element(By.CSS_SELECTOR, "#login-form"),
        message="#login-form on /login",
    )
    for name, value in (("username", user), ("password", password), ("totp", code)):
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    drv.find_element(By.CSS_SELECTOR, "#login-submit").click()


def path_of(drv) -> str:
    return drv.execute_script("return window.location.pathname")


def login(drv, app: Server, clock: TotpClock, role: str) -> DemoLogin:
    account = app.login(role)
    code = clock.code_for(account.user, account.totp)
    fill_login(drv, app.base_url, account.user, account.password, code)
    wait_for(
        drv,
        lambda d: path_of(d) == "/" or d.find_elements(By.CSS_SELECTOR, ".form-error"),
        message=f"login of {role} to land on / (or show .form-error)",
    )
    errors = drv.find_elements(By.CSS_SELECTOR, ".form-error")
    assert path_of(drv) == "/", (
        f"login as {role} ({account.user}) did not land on /: "
        f"{[e.text for e in errors]} url={drv.current_url}"
    )
    return account


def fetch_status(drv, path: str) -> int:
    """The HTTP status of a same-origin GET with the browser's cookies."""
    return drv.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin', redirect: 'manual'})
          .then(r => done(r.status), e => done(-1));
        """,
        path,
    )


def screenshot(drv, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    assert drv.save_screenshot(str(path)), f"could not save {path}"
    return path


def header_texts(drv) -> dict[str, str]:
    out = {}
    for sel in ("#user-name", "#user-role", "#user-region"):
        found = drv.find_elements(By.CSS_SELECTOR, sel)
        assert found, f"header element {sel} missing on {drv.current_url}"
        assert found[0].is_displayed(), f"header element {sel} is not visible"
        out[sel] = found[0].text.strip()
        assert out[sel], f"header element {sel} is empty"
    return out


def document_lang(drv) -> str:
    return drv.execute_script("return document.documentElement.getAttribute('lang')")


# Draw glyphs on a canvas in the page's own font. If no CJK font is available,
# Chromium draws the same .notdef box for every character, so two different
# characters would give identical pixels (and equal a certain non-character).
_GLYPHS_JS = """
const font = getComputedStyle(document.body).fontFamily;
function draw(ch) {
  const c = document.createElement('canvas');
  c.width = 64; c.height = 64;
  const x = c.getContext('2d');
  x.fillStyle = '#fff'; x.fillRect(0, 0, 64, 64);
  x.fillStyle = '#000'; x.textBaseline = 'top';
  x.font = '48px ' + font;
  x.fillText(ch, 4, 4);
  return c.toDataURL();
}
return {font: font, a: draw('\u767b'), b: draw('\u5f55'), none: draw('\\u{10FFFD}')};
"""


def cjk_glyphs_render(drv) -> tuple[bool, str]:
    r = drv.execute_script(_GLYPHS_JS)
    ok = r["a"] != r["b"] and r["a"] != r["none"] and r["b"] != r["none"]
    return ok, r["font"]


VALID_CODE_LENGTHS = {2, 4, 6, 9, 12}


def is_region_code(code: str) -> bool:
    return code.isdigit() and len(code) in VALID_CODE_LENGTHS


def write_png(path: Path, width: int, height: int, colours: list[tuple[int, int, int]], noise: bool = False) -> Path:
    """A valid RGB PNG without image libraries: horizontal bands of `colours`,
    or random pixels when `noise` (which compresses badly: a big upload)."""
    import zlib

    rows = []
    for y in range(height):
        if noise:
            rows.append(b"\x00" + os.urandom(width * 3))
        else:
            rows.append(b"\x00" + bytes(colours[y * len(colours) // height]) * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")
    Path(path).write_bytes(png)
    return Path(path)


_CSP_WATCH_JS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


def watch_csp(drv) -> None:
    """Record Content-Security-Policy violations on every page loaded from now on."""
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _CSP_WATCH_JS})


def csp_violations(drv) -> list[str]:
    """The violations on the current page (needs watch_csp before it loaded)."""
    return drv.execute_script("return window.__cspViolations || []")


def fill_intake_form(drv, app, region: str, address: str, family, programme: str = "dibao") -> None:
    """Opens /intake/new and fills in the region, address, members (name, ID number, relation; rural)
    and one programme; the caller ticks anything else and submits."""
    drv.get(app.base_url + "/intake/new")
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#intake-form"), message="#intake-form")
    Select(drv.find_element(By.NAME, "region")).select_by_value(region)
    drv.find_element(By.NAME, "address").send_keys(address)
    for index, (name, id_number, relation) in enumerate(family):
        drv.find_element(By.NAME, f"members[{index}][name]").send_keys(name)
        drv.find_element(By.NAME, f"members[{index}][idNumber]").send_keys(id_number)
        Select(drv.find_element(By.NAME, f"members[{index}][relation]")).select_by_value(relation)
        Select(drv.find_element(By.NAME, f"members[{index}][residence]")).select_by_value("rural")
    drv.find_element(By.CSS_SELECTOR, f"input[name='programmes[]'][value='{programme}']").click()

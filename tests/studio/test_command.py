"""`cinefile studio`: what it refuses to start with, and the real server's guard: the Host
header, the token (once in the URL, then an HttpOnly cookie), websockets, and a clean Ctrl-C."""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from cinefile.studio.launch import AccessGuard, Settings, _host_name, allowed_hosts, url

START_SECONDS = 60  # a deadline for the server to say where it listens, not a wait


class Studio:
    """A `cinefile studio` process: its port, and what it printed."""

    def __init__(self, folder: Path, *args: str, env: dict[str, str] | None = None) -> None:
        if env is None:
            env = {k: v for k, v in os.environ.items() if k != "CINEFILE_TOKEN"}
        env = env | {"CI": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "cinefile", "studio", str(folder), "--no-browser", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                        start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        try:
            self.announced = self.lines.get(timeout=START_SECONDS)
        except queue.Empty:
            self.stop()
            raise AssertionError(f"the studio did not start: {self.process.stderr.read()}") from None
        found = re.search(r"at (http://\S+)", self.announced)
        assert found, self.announced
        self.url = found.group(1)
        self.port = int(re.search(r":(\d+)/", self.url).group(1))

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def request(self, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def websocket_status(self, headers: dict[str, str] | None = None) -> int:
        """The status of a websocket handshake on Streamlit's stream: 101 when accepted."""
        handshake = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                     "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", "/_stcore/stream", headers=handshake | (headers or {}))
        status = connection.getresponse().status
        connection.close()
        return status

    def stop(self) -> int:
        """Ctrl-C, as a user would; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        self.reader.join(timeout=30)
        return code


@contextlib.contextmanager
def running_studio(folder: Path, *args: str, env: dict[str, str] | None = None):
    studio = Studio(folder, *args, env=env)
    try:
        yield studio
    finally:
        studio.stop()


# --- what it refuses ---------------------------------------------------------------------

def _one_line_refusal(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cinefile: "), result.output
    assert all(word in lines[0] for word in words), lines[0]


def test_another_address_without_a_token_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CINEFILE_TOKEN", raising=False)
    _one_line_refusal(cli("studio", str(tmp_path), "--host", "0.0.0.0"), "--host 0.0.0.0", "--token", "CINEFILE_TOKEN")


def test_a_short_token_is_refused(cli, tmp_path):
    _one_line_refusal(cli("studio", str(tmp_path), "--host", "0.0.0.0", "--token", "short"), "16 characters")


def test_a_missing_folder_is_refused(cli, tmp_path):
    _one_line_refusal(cli("studio", str(tmp_path / "nowhere")), "no such folder")


def test_a_taken_port_is_refused(cli, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        _one_line_refusal(cli("studio", str(tmp_path), "--port", str(taken.getsockname()[1])), "cannot listen")


def test_help_says_another_address_needs_a_token(cli):
    result = cli("studio", "--help")
    assert result.exit_code == 0
    text = re.sub(r"[\s│]+", " ", result.output)  # as read, across rich's line breaks and box
    assert "refuses to start without a token" in text and "CINEFILE_TOKEN" in text


def test_the_command_line_starts_without_streamlit():
    """Streamlit takes a second to import: only `cinefile studio` pays for it."""
    code = "import sys, cinefile.cli.app\nprint('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- the guard, in small -----------------------------------------------------------------

def test_host_headers_are_read_without_their_port():
    assert _host_name("localhost:8501") == "localhost"
    assert _host_name("[::1]:8501") == "::1"
    assert _host_name("127.0.0.1") == "127.0.0.1"
    assert _host_name("Evil.Example.:80") == "evil.example"


def test_the_url_printed_carries_the_token_once_and_points_at_loopback_for_a_wildcard():
    assert url(Settings(Path("."), host="0.0.0.0", token="a b&c"), 8501) == "http://127.0.0.1:8501/?token=a%20b%26c"
    assert url(Settings(Path("."), host="::"), 8501) == "http://[::1]:8501/"
    assert url(Settings(Path(".")), 9000) == "http://127.0.0.1:9000/"


def test_the_names_answered_are_loopback_the_host_given_and_those_allowed():
    assert allowed_hosts(Settings(Path("."))) == {"localhost", "127.0.0.1", "::1"}
    assert allowed_hosts(Settings(Path("."), host="192.168.1.20")) == {"localhost", "127.0.0.1", "::1", "192.168.1.20"}
    wildcard = Settings(Path("."), host="0.0.0.0", allow_hosts=("Studio.Local", "[fe80::1]"))
    assert allowed_hosts(wildcard) == {"localhost", "127.0.0.1", "::1", "studio.local", "fe80::1"}


def test_the_cookie_holds_no_token():
    assert "s3cret-s3cret-s3cret" not in AccessGuard(None, token="s3cret-s3cret-s3cret", hosts=frozenset()).session


def test_no_browser_is_opened_in_ci_or_without_a_display(monkeypatch):
    from cinefile.studio.launch import can_open_browser

    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("CI", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert not can_open_browser()
    monkeypatch.setenv("DISPLAY", ":0")
    assert can_open_browser()
    monkeypatch.setenv("CI", "true")
    assert not can_open_browser()


def test_an_error_no_page_caught_is_one_line_and_its_trace_goes_to_the_terminal(caplog):
    from cinefile.daemon.errors import UserError
    from cinefile.studio.launch import show_script_error

    with caplog.at_level("ERROR", logger="cinefile.studio"):
        assert show_script_error(UserError("no such block: scene-9")) is True  # True: Streamlit shows no trace
        assert not caplog.records
        assert show_script_error(KeyError("oops")) is True
    assert caplog.records[0].exc_info[0] is KeyError


# --- the real server ---------------------------------------------------------------------

def test_on_loopback_it_serves_the_studio_and_only_to_local_names(film):
    with running_studio(film) as studio:
        assert studio.url == f"http://127.0.0.1:{studio.port}/"
        assert str(film) in studio.announced
        page = studio.request("/")
        assert page.status == 200 and "text/html" in page.getheader("content-type")
        assert studio.request("/", {"Host": f"localhost:{studio.port}"}).status == 200
        assert studio.request("/", {"Host": f"[::1]:{studio.port}"}).status == 200
        # A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) gets nothing.
        assert studio.request("/", {"Host": f"evil.example:{studio.port}"}).status == 403
        assert studio.websocket_status({"Host": "evil.example"}) == 403
        assert studio.websocket_status() == 101
        assert studio.stop() == 0
    assert studio.output[-1] == "cinefile studio: stopped\n"


def test_on_every_address_every_request_needs_the_token(film):
    with running_studio(film, "--host", "0.0.0.0", "--token", "T0ken-for-the-test", "--allow-host", "studio.local") as studio:
        assert studio.url == f"http://127.0.0.1:{studio.port}/?token=T0ken-for-the-test"
        refused = studio.request("/")
        assert refused.status == 401
        assert studio.request("/_stcore/health").status == 401
        assert studio.request("/?token=wrong").status == 401
        assert studio.websocket_status() == 403

        welcome = studio.request("/story?token=T0ken-for-the-test&x=1")
        assert welcome.status == 303
        assert welcome.getheader("location") == "/story?x=1"  # the token leaves the address bar
        assert studio.request("//elsewhere.example?token=T0ken-for-the-test").getheader("location") == "/elsewhere.example"
        cookie = welcome.getheader("set-cookie")
        assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "T0ken" not in cookie
        session = {"Cookie": cookie.split(";")[0]}
        assert studio.request("/", session).status == 200
        assert studio.request("/_stcore/health", session).status == 200
        assert studio.websocket_status(session) == 101
        # Another studio's cookie, or a forged one, is no key.
        forged = {"Cookie": f"cinefile_studio_{studio.port}=" + "0" * 64}
        assert studio.request("/", forged).status == 401
        # The Host check holds with a token too: names allowed get in, others not, cookie or none.
        assert studio.request("/", session | {"Host": f"studio.local:{studio.port}"}).status == 200
        assert studio.request("/", session | {"Host": f"evil.example:{studio.port}"}).status == 403
        assert studio.stop() == 0


def test_the_token_can_come_from_the_environment(film):
    with running_studio(film, "--host", "0.0.0.0", env=os.environ | {"CINEFILE_TOKEN": "from-the-environment"}) as studio:
        assert studio.url.endswith("/?token=from-the-environment")
        assert studio.request("/").status == 401


def test_the_http_api_is_served_under_api_with_its_own_token(film):
    """One command gives both: `cinefile serve`'s API under /api, needing its bearer token
    (the one given, or a new one printed at start), never the studio's cookie."""
    with running_studio(film) as studio:
        said = studio.lines.get(timeout=START_SECONDS)
        token = re.search(r"Bearer (\S+)\)", said).group(1)
        assert studio.request("/api/health").status == 200
        assert studio.request("/api/project").status == 401
        assert studio.request("/api/project", {"Authorization": f"Bearer {token}"}).status == 200
        assert studio.request("/api/project", {"Authorization": f"Bearer {token}",
                                               "Host": f"evil.example:{studio.port}"}).status == 403
    with running_studio(film, "--host", "0.0.0.0", "--token", "T0ken-for-the-test") as studio:
        said = studio.lines.get(timeout=START_SECONDS)
        assert "T0ken" not in said  # a token given is not printed again
        assert studio.request("/api/project", {"Authorization": "Bearer T0ken-for-the-test"}).status == 200
        assert studio.request("/api/project").status == 401

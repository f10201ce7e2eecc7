"""A real Synapse homeserver run from the venv on 127.0.0.1, for Matrix tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

SERVER_NAME = "copbot.test"
_FAST = {"per_second": 10000, "burst_count": 10000}
_RATE_LIMITS: dict[str, Any] = {
    "rc_message": _FAST,
    "rc_registration": _FAST,
    "rc_login": {"address": _FAST, "account": _FAST, "failed_attempts": _FAST},
    "rc_joins": {"local": _FAST, "remote": _FAST},
    "rc_joins_per_room": _FAST,
    "rc_invites": {"per_room": _FAST, "per_user": _FAST, "per_issuer": _FAST},
    "rc_3pid_validation": _FAST,
    "rc_admin_redaction": _FAST,
    "rc_room_creation": _FAST,
    "rc_key_requests": _FAST,
    "rc_third_party_invite": _FAST,
    "rc_presence": {"per_user": _FAST},
    "rc_delayed_event_mgmt": _FAST,
    "rc_reports": _FAST,
    "rc_user_directory": _FAST,
    "rc_profile": _FAST,
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class RegisteredUser:
    """A user created on the test homeserver."""

    user_id: str
    access_token: str
    device_id: str
    password: str


class Synapse:
    """One Synapse process with its config, SQLite database and log in ``directory``."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server_name = SERVER_NAME
        self.shared_secret = secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None
        self.last_start_seconds = 0.0
        self._config_path = directory / "homeserver.yaml"
        self._log_path = directory / "homeserver.log"

    def write_config(self) -> None:
        """Write homeserver.yaml, the log config and a signing key (idempotent)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        log_config = self.directory / "log.yaml"
        signing_key = self.directory / "signing.key"
        if not signing_key.exists():
            from signedjson.key import generate_signing_key, write_signing_keys

            with signing_key.open("w") as handle:
                write_signing_keys(handle, [generate_signing_key("a_test")])
        log_config.write_text(
            json.dumps(
                {
                    "version": 1,
                    "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
                    "handlers": {
                        "file": {
                            "class": "logging.FileHandler",
                            "filename": str(self._log_path),
                            "formatter": "plain",
                        }
                    },
                    "root": {"level": "INFO", "handlers": ["file"]},
                    "disable_existing_loggers": False,
                }
            )
        )
        config: dict[str, Any] = {
            "server_name": self.server_name,
            "public_baseurl": self.url + "/",
            "pid_file": str(self.directory / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(self.directory / "homeserver.db")}},
            "log_config": str(log_config),
            "media_store_path": str(self.directory / "media"),
            "enable_media_repo": False,
            "url_preview_enabled": False,
            "registration_shared_secret": self.shared_secret,
            "enable_registration": False,
            "macaroon_secret_key": "test-macaroon-" + self.shared_secret,
            "form_secret": "test-form-" + self.shared_secret,
            "report_stats": False,
            "signing_key_path": str(signing_key),
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "enable_metrics": False,
            "bcrypt_rounds": 4,
            "require_auth_for_profile_requests": False,
            **_RATE_LIMITS,
        }
        # JSON is valid YAML, so no YAML writer is needed.
        self._config_path.write_text(json.dumps(config, indent=2))

    def start(self, timeout: float = 120.0) -> None:
        """Start the homeserver and wait until the client API answers."""
        if self.process is not None:
            raise RuntimeError("Synapse is already running")
        self.write_config()
        started = time.monotonic()
        output = (self.directory / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self._config_path)],
            cwd=self.directory,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        output.close()
        while True:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise RuntimeError(f"Synapse exited with {code}; see {self.directory}/stdout.log")
            if self._answers():
                break
            if time.monotonic() - started > timeout:
                self.stop()
                raise TimeoutError(f"Synapse did not answer within {timeout}s")
            time.sleep(0.1)
        self.last_start_seconds = time.monotonic() - started
        log.info("Synapse answered on %s after %.1fs", self.url, self.last_start_seconds)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/_matrix/client/versions", timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Terminate the homeserver, killing it if it does not exit within ten seconds."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def restart(self) -> None:
        """Stop and start again on the same port, with the same data."""
        self.stop()
        self.start()

    async def register(self, localpart: str, *, admin: bool = False) -> RegisteredUser:
        """Create a user through the shared-secret admin API and return its id and access token."""
        password = secrets.token_hex(8)
        endpoint = self.url + "/_synapse/admin/v1/register"
        async with aiohttp.ClientSession() as session:
            async with session.get(endpoint) as response:
                response.raise_for_status()
                nonce = (await response.json())["nonce"]
            message = "\x00".join((nonce, localpart, password, "admin" if admin else "notadmin"))
            mac = hmac.new(self.shared_secret.encode(), message.encode(), hashlib.sha1)
            body = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            }
            async with session.post(endpoint, json=body) as response:
                payload = await response.json()
                if response.status != 200:
                    raise RuntimeError(f"registering {localpart} failed: {payload}")
        return RegisteredUser(payload["user_id"], payload["access_token"], payload["device_id"], password)

    async def admin_request(self, token: str, method: str, path: str, body: Any = None) -> Any:
        """Call an admin or client API path with ``token`` and return the decoded JSON."""
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.url + path, json=body, headers=headers) as response,
        ):
            payload = await response.json()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path} failed: {response.status} {payload}")
            return payload

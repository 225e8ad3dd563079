"""Serving: a public link never goes out without a login, and offline the studio says so."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from launch import parse_args
from studio.serve import resolve_auth

ROOT = Path(__file__).resolve().parents[1]


def test_share_without_auth_generates_a_password():
    auth, message = resolve_auth(parse_args(["--share"]))
    assert auth[0] == "studio" and len(auth[1]) >= 10
    assert auth[1] in message


def test_explicit_auth_and_insecure_share():
    assert resolve_auth(parse_args(["--auth", "ana:secret"])) == (("ana", "secret"), "")
    assert resolve_auth(parse_args(["--share", "--insecure-share"])) == (None, "")
    with pytest.raises(SystemExit, match="USER:PASS"):
        resolve_auth(parse_args(["--auth", "no-colon"]))


def test_offline_share_is_reported_and_local_server_keeps_working(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MCS_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "launch.py", "--port", str(port), "--share", "--auth", "a:b",
                                   "--no-warm-up"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 240
        while time.time() < deadline and "could not be created" not in log.read_text():
            assert server.poll() is None, log.read_text()
            time.sleep(1)
        assert "could not be created" in log.read_text(), log.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)

"""No emailed token in any log (issue 16): Django's request logs and gunicorn's access and error
logs carry link paths with the token part masked."""

import datetime
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

from django.test import Client
from django.urls import reverse
from gunicorn.config import Config

from portal.gunicorn_logging import TokenMaskingLogger
from portal.logmask import MASK, mask_tokens, token_routes
from tests.portal.test_hardening import BASE_DIR

UID = "MTIzNDU"
TOKEN = "cz9k2f-4b1c8e0a9d7f6e5d4c3b2a19"


def test_every_link_route_is_found_and_masked():
    routes = token_routes()
    for expected in (
        "/reinitialiser/<uidb64>/<token>/",
        "/activer/<uidb64>/<token>/",
        "/profil/courriel/confirmer/<str:token>/",
        "/parents/activer/<uidb64>/<token>/",
    ):
        assert expected in routes
    for route in routes:
        path = (
            route.replace("<uidb64>", UID).replace("<str:token>", TOKEN).replace("<token>", TOKEN)
        )
        for line in (f"Not Found: {path}", f'"GET {path}?a=1 HTTP/1.1" 200', path.rstrip("/")):
            masked = mask_tokens(line)
            assert TOKEN not in masked and UID not in masked, masked
            assert MASK in masked
    # Other addresses are left alone.
    assert mask_tokens("GET /reinitialiser/termine/ 200") == "GET /reinitialiser/termine/ 200"
    assert mask_tokens("/paiement/recus/REC00000012/") == "/paiement/recus/REC00000012/"


def test_a_server_error_on_a_link_logs_the_path_without_its_token(institution, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("accounts.services.profile.email_change_confirm", broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("accounts:email_confirm", args=[TOKEN]))
    assert response.status_code == 500
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in records)
    assert "Internal Server Error: /profil/courriel/confirmer/********/" in text
    assert "RuntimeError" in text  # the traceback is kept, masked
    assert TOKEN not in text


def test_a_not_found_under_a_link_route_is_masked(institution, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get(f"/reinitialiser/{UID}/{TOKEN}/de-trop/")
    assert response.status_code == 404
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "django.request")
    assert "Not Found: /reinitialiser/********/********/de-trop/" in text
    assert TOKEN not in text and UID not in text


def test_gunicorns_access_log_masks_tokens(tmp_path):
    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s')
    logger = TokenMaskingLogger(cfg)
    path = f"/parents/activer/{UID}/{TOKEN}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + "?utm=1",
        "PATH_INFO": path,
        "QUERY_STRING": "utm=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://portail.example/reinitialiser/{UID}/{TOKEN}/",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = log_file.read_text()
    assert '"GET /parents/activer/********/********/?utm=1 HTTP/1.1" 302' in line
    assert TOKEN not in line and UID not in line
    assert "203.0.113.9" in line


def free_port() -> int:
    for port in range(20400, 20500):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def test_gunicorn_with_the_shipped_config_logs_no_token(tmp_path):
    # The real server with the shipped config (portal/gunicorn_conf.py), an empty database:
    # the email-change page fails (no tables) and both gunicorn's access line and Django's
    # error line name the route.
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:portal.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "portal.wsgi",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        statuses = []
        for path in (f"/profil/courriel/confirmer/{TOKEN}/", f"/reinitialiser/{UID}/{TOKEN}/"):
            for _attempt in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                    break
                except OSError:
                    time.sleep(0.1)
                    continue
                statuses.append(200)
                break
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert statuses == [500, 500], output
    assert '"GET /profil/courriel/confirmer/******** HTTP/1.1" 500' in output.replace(
        "********/", "********"
    )
    assert "Internal Server Error: /profil/courriel/confirmer/********/" in output
    assert TOKEN not in output and UID not in output

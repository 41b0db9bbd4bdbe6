"""Production mode scores A+ by the Mozilla HTTP Observatory's published scoring, computed here
from the response headers (no external service): the site served behind TLS with the settings
that ``diplomacy/settings.py`` computes when ``DEBUG`` is false.

The scoring is the Observatory's (MDN "HTTP Observatory: tests and scoring"): a baseline of 100
plus each test's modifier; bonuses count only at 90 or above; A+ is 100 or more."""

import json
import os
import re
import secrets
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import override_settings

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "CONTENT_SECURITY_POLICY",
)


def production_settings() -> dict:
    """The security settings as ``diplomacy/settings.py`` computes them with ``DEBUG=false``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {PRODUCTION_SETTINGS!r}}}))"
    )
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "registry.example.org",
        "DJANGO_SETTINGS_MODULE": "diplomacy.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def score_csp(header: str | None) -> tuple[str, int]:
    if not header:
        return "csp-not-implemented", -25
    d = csp_directives(header)
    default = d.get("default-src", [])
    script = d.get("script-src", default)
    style = d.get("style-src", default)
    unsafe_script = any(s in script for s in ("'unsafe-inline'", "'unsafe-eval'", "data:", "http:", "https:", "*"))
    if unsafe_script:
        return "csp-implemented-with-unsafe-inline", -20
    if "'unsafe-inline'" in style:
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    insecure = any(s in v for v in d.values() for s in ("http:", "*"))
    if insecure:
        return "csp-implemented-with-insecure-scheme", -10
    if "object-src" not in d and default != ["'none'"]:
        return "csp-implemented-but-object-src-not-restricted", -5  # not in the table; be strict
    if default == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 5


def score_cookies(set_cookies: list[str], session_names: set[str]) -> tuple[str, int]:
    if not set_cookies:
        return "cookies-not-found", 0
    cookies = []
    for raw in set_cookies:
        name = raw.split("=", 1)[0].strip()
        attrs = {a.split("=", 1)[0].strip().lower(): a.split("=", 1)[-1].strip() for a in raw.split(";")[1:]}
        cookies.append((name, attrs))
    if any("secure" not in attrs for _, attrs in cookies):
        return "cookies-without-secure-flag", -20
    sessions = [attrs for name, attrs in cookies if name in session_names]
    if any("httponly" not in attrs for attrs in sessions):
        return "cookies-session-without-httponly-flag", -30
    if all(attrs.get("samesite", "").lower() in ("lax", "strict") for _, attrs in cookies):
        return "cookies-secure-with-httponly-sessions-and-samesite", 5
    return "cookies-secure-with-httponly-sessions", 0


def score_hsts(header: str | None) -> tuple[str, int]:
    if not header:
        return "hsts-not-implemented", -20
    match = re.search(r"max-age=(\d+)", header)
    if not match:
        return "hsts-header-invalid", -20
    if int(match[1]) < 15_768_000:
        return "hsts-implemented-max-age-less-than-six-months", -10
    # hsts-preloaded (+5) needs the browsers' preload list: not counted here.
    return "hsts-implemented-max-age-at-least-six-months", 0


def score_referrer(header: str | None) -> tuple[str, int]:
    if not header:
        return "referrer-policy-not-implemented", 0
    policy = header.split(",")[-1].strip().lower()
    if policy in ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"):
        return "referrer-policy-private", 5
    if policy in ("no-referrer-when-downgrade",):
        return "referrer-policy-no-referrer-when-downgrade", 0
    return "referrer-policy-unsafe", -5


def score_xfo(response, csp: str | None) -> tuple[str, int]:
    if csp and "frame-ancestors" in csp_directives(csp):
        return "x-frame-options-implemented-via-csp", 5
    if response.get("X-Frame-Options", "").upper() in ("DENY", "SAMEORIGIN"):
        return "x-frame-options-sameorigin-or-deny", 0
    return "x-frame-options-not-implemented", -20


def score_redirection(http_response) -> tuple[str, int]:
    location = http_response.get("Location", "")
    if http_response.status_code in (301, 302, 307, 308) and location.startswith("https://registry.example.org/"):
        return "redirection-to-https", 0
    return "redirection-missing", -20


def observatory_score(page, http_page, set_cookies, session_names) -> tuple[int, dict]:
    csp = page.get("Content-Security-Policy")
    results = dict(
        [
            score_csp(csp),
            score_cookies(set_cookies, session_names),
            (
                ("cross-origin-resource-sharing-not-implemented", 0)
                if page.get("Access-Control-Allow-Origin") is None
                else ("cross-origin-resource-sharing-implemented-with-public-access", 0)
            ),
            score_redirection(http_page),
            score_referrer(page.get("Referrer-Policy")),
            score_hsts(page.get("Strict-Transport-Security")),
            ("sri-not-implemented-but-all-scripts-loaded-securely", 0)
            if not re.search(r'<script[^>]+src="(?:https?:)?//', page.content.decode())
            else ("sri-not-implemented-and-external-scripts-loaded-securely", -5),
            (
                ("x-content-type-options-nosniff", 0)
                if page.get("X-Content-Type-Options", "").lower() == "nosniff"
                else ("x-content-type-options-not-implemented", -5)
            ),
            score_xfo(page, csp),
        ]
    )
    penalties = sum(v for v in results.values() if v < 0)
    bonuses = sum(v for v in results.values() if v > 0)
    score = 100 + penalties
    if score >= 90:
        score += bonuses
    return score, results


def grade(score: int) -> str:
    for limit, letter in ((100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-")):
        if score >= limit:
            return letter
    return "C or worse"


def test_production_headers_score_a_plus_behind_tls(client, home):
    production = production_settings()
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    password = secrets.token_urlsafe(16)
    UserFactory(username="alice", password=password, is_staff=True)
    with override_settings(**production, ALLOWED_HOSTS=["registry.example.org"]):
        http_page = client.get("/", HTTP_HOST="registry.example.org")
        page = client.get("/", secure=True, HTTP_HOST="registry.example.org")
        assert page.status_code == HTTPStatus.OK
        login = client.get("/admin/login/", secure=True, HTTP_HOST="registry.example.org")
        signed_in = client.post(
            "/admin/login/",
            {
                "username": "alice",
                "password": password,
                "csrfmiddlewaretoken": login.cookies[production["CSRF_COOKIE_NAME"]].value,
            },
            secure=True,
            HTTP_HOST="registry.example.org",
            HTTP_REFERER="https://registry.example.org/admin/login/",
        )
    set_cookies = [
        morsel.OutputString() for response in (page, login, signed_in) for morsel in response.cookies.values()
    ]
    assert any(c.startswith("__Host-sessionid=") for c in set_cookies), set_cookies
    score, results = observatory_score(
        page, http_page, set_cookies, {production["SESSION_COOKIE_NAME"], production["CSRF_COOKIE_NAME"]}
    )
    assert all(value >= 0 for value in results.values()), results
    assert grade(score) == "A+", (score, results)

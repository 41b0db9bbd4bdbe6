"""Hardened settings and surfaces: deploy checks, headers, lockout, limits, documents."""

import os
import secrets
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import validate_pdf

from .factories import AgreementFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def check_deploy(**environment) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "registry.example.org",
        "DATABASE_URL": "sqlite:////tmp/deploy-check.sqlite3",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_that_the_file_cache_does_not_count_atomically():
    """Without REDIS_URL production mode shares a file cache, whose increments can lose counts."""
    result = check_deploy(REDIS_URL="")
    assert result.returncode != 0
    assert "registry.W001" in result.stderr + result.stdout and "FileBasedCache" in result.stderr + result.stdout


def test_production_settings_refuse_a_missing_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("path", ["/", "/cities/", "/ko/", "/admin/login/"])
def test_every_page_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_admin_login_locks_out_after_repeated_failures(client):
    user = UserFactory(username="staffer", is_staff=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "staffer", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post(url, {"username": "staffer", "password": "not-a-real-password-123"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session
    assert user.pk


def test_request_body_over_the_limit_is_refused(client):
    response = client.generic(
        "POST",
        "/admin/login/",
        b"x",
        CONTENT_TYPE="text/plain",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BODY_BYTES + 1),
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


def test_only_pdf_documents_are_accepted():
    validate_pdf(SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(ValidationError) as excinfo:
        validate_pdf(SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf"))
    assert excinfo.value.code == "not_pdf"
    big = SimpleUploadedFile("big.pdf", PDF)
    big.size = 21 * 1024 * 1024
    with pytest.raises(ValidationError) as excinfo:
        validate_pdf(big)
    assert excinfo.value.code == "file_too_large"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_document_is_a_download_for_public_agreements_only(client, media, viewer):
    public = AgreementFactory(slug="public", document=SimpleUploadedFile("x.pdf", PDF))
    draft = AgreementFactory(slug="draft", publication="draft", document=SimpleUploadedFile("y.pdf", PDF))
    response = client.get(reverse("registry:agreement-document", args=[public.slug]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == 'attachment; filename="public.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("registry:agreement-document", args=[draft.slug])).status_code == HTTPStatus.NOT_FOUND
    client.force_login(UserFactory(is_staff=True))  # staff without the view permission: still no drafts
    assert client.get(reverse("registry:agreement-document", args=[draft.slug])).status_code == HTTPStatus.NOT_FOUND
    client.force_login(viewer)
    assert client.get(reverse("registry:agreement-document", args=[draft.slug])).status_code == HTTPStatus.OK
    assert not str(media).startswith(str(settings.STATIC_ROOT))


def test_uploaded_files_are_not_served_from_media_url(client, media):
    AgreementFactory(slug="public", document=SimpleUploadedFile("x.pdf", PDF))
    assert client.get(f"/{settings.MEDIA_URL}agreements/x.pdf").status_code == HTTPStatus.NOT_FOUND


def test_api_docs_work_under_the_content_security_policy(client):
    import re

    page = client.get("/api/v1/docs/")
    assert page.status_code == HTTPStatus.OK
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all('src="/' in attributes for attributes in scripts)  # no inline script
    init = re.findall(r'<script src="(/api/v1/docs/\?script=[^"]*)"', page.text)[0]
    assert "SwaggerUIBundle" in client.get(init).content.decode()


def test_a_json_body_over_the_limit_is_a_json_413(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    body = '{"name_en": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '", "country": "KZ"}'
    response = client.post("/api/v1/cities/", body, content_type="application/json")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json()["code"] == "request_too_large"


def test_the_api_docs_script_url_carries_no_shared_links_analytics_but_keeps_the_language(client):
    """Found by the adversarial probe: ``/api/v1/docs/?utm_source=…`` carried it into the script's URL."""
    import re

    page = client.get("/api/v1/docs/?utm_source=news&fbclid=abc&lang=ko")
    (init,) = re.findall(r'<script src="(/api/v1/docs/\?[^"]*script=[^"]*)"', page.text)
    assert init == "/api/v1/docs/?lang=ko&amp;script="


def test_no_template_styles_inline_what_the_content_security_policy_blocks():
    """The policy allows style sheets from the site only (``style-src 'self'``): a ``style``
    attribute or element in a template is refused by the browser, with an error in its console
    on every page that has it (the history pages' page counter did, helper-106)."""
    import re
    from pathlib import Path

    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'"]
    inline = re.compile(r"""<style[\s>]|\sstyle\s*=\s*["']""", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if inline.search(line)
    ]
    assert offenders == []

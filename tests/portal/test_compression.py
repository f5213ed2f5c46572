"""Pages are gzipped by the portal when the browser asks, and only then."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def test_it_gzips_the_intake_form_when_asked(client):
    response = client.get("/submit/", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "Content-Security-Policy" in response  # the policy still goes with a compressed page
    page = gzip.decompress(response.content).decode()
    assert 'name="csrfmiddlewaretoken"' in page
    # The form's first section (the others come one page at a time), in under half its size.
    assert len(response.content) < len(page) / 2


def test_it_sends_the_page_as_it_is_when_not_asked(client):
    response = client.get("/submit/")

    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_it_pads_each_compressed_page_differently(client):
    # Django's BREACH mitigation: random bytes in the gzip header, so sizes do not reveal a secret.
    sizes = {len(client.get("/submit/", HTTP_ACCEPT_ENCODING="gzip").content) for _ in range(6)}

    assert len(sizes) > 1


def test_it_gzips_the_public_archive(client):
    response = client.get("/communications/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"

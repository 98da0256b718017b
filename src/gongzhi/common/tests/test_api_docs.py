"""The API documentation is served from the server's own files, not a CDN, without ninja
being an installed app (so small commands don't import it)."""

from django.test import Client


def test_the_api_docs_page_and_its_files_are_local(client: Client, db: None) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"swagger-ui-bundle.js" in page.content and b"cdn" not in page.content.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200

"""The OpenAPI document (issue 19): every /api/v1 route is in it, generated from the routes'
own declarations, valid OpenAPI 3.1, served publicly with an ETag, and browsable at /api/docs."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from app.extensions import db
from app.openapi.document import api_rules, openapi_path, undocumented
from deliberation.services import accounts
from tests.factories import login, make_user

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_every_api_route_declares_its_schemas(app):
    assert undocumented(app) == []


def test_every_api_route_and_method_is_in_the_document(app, document):
    missing = []
    for rule in api_rules(app):
        for method in METHODS:
            listed = document["paths"].get(openapi_path(rule), {})
            if method.upper() in rule.methods and method not in listed:
                missing.append(f"{method.upper()} {rule.rule}")
    assert missing == []
    assert len(document["paths"]) >= 55


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_operation_has_a_unique_id_a_known_tag_and_its_error_statuses(document):
    tags = {t["name"] for t in document["tags"]}
    ids = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            ids.append(op["operationId"])
            assert op["tags"] and set(op["tags"]) <= tags, (method, path)
            assert "400" in op["responses"], (method, path)
            if "{" in path:
                assert "404" in op["responses"], (method, path)
            if method != "get":
                assert "401" in op["responses"], (method, path)
    assert len(ids) == len(set(ids)) >= 70


def test_a_request_body_in_the_document_is_the_model_the_route_rejects_with(client, document):
    body = document["paths"]["/api/v1/threads/{thread_id}/comments"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][ref]
    assert schema["properties"]["parent_id"]["anyOf"][0]["type"] == "integer"
    user = make_user()
    response = client.post(
        "/api/v1/threads/1/comments",
        json={"body": "x", "parent_id": "one"},
        headers={"Authorization": f"Bearer {user_token(user)}"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "invalid_field",
        "field": "parent_id",
        "message": response.get_json()["error"]["message"],
    }


def user_token(user) -> str:
    return accounts.issue_token(db.session, user)


@pytest.mark.parametrize("role", [None, "citizen", "staff", "moderator", "admin"])
def test_the_document_and_its_page_are_public(client, role):
    if role is not None:
        login(client, make_user(role=role))
    assert client.get("/api/v1/openapi.json").status_code == 200
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"vendor/swagger-ui/swagger-ui-bundle.js" in page.data
    assert b"GET /api/v1/consultations</code>" in page.data
    assert b"/api/v1/openapi.json" in page.data


def test_the_document_is_served_with_an_etag_and_answers_304_when_unchanged(client):
    first = client.get("/api/v1/openapi.json")
    assert first.headers["ETag"]
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_docs_page_loads_nothing_from_another_site(client):
    page = client.get("/api/docs")
    assert b"https://" not in page.data.replace(b"https://www.w3.org", b"")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp

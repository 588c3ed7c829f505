"""The suite's shortcuts stay honest: the `login` fixture leaves the client exactly as the real
login form does, and the cheap password hash of the tests never reaches production."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from app import create_app
from config import Config, ProductionConfig, TestingConfig
from deliberation.services import accounts

AUTH_KEYS = ("_user_id", "_fresh", "_id")


def _session_of(client) -> dict:  # type: ignore[no-untyped-def]
    with client.session_transaction() as cookie:
        return dict(cookie)


def test_the_login_fixture_writes_what_the_login_form_writes(
    app, make_user, login, login_with_form
):
    user = make_user(name="林小姐")
    by_form = login_with_form(app.test_client(), user)
    by_fixture = login(app.test_client(), user)
    form_session, fixture_session = _session_of(by_form), _session_of(by_fixture)
    assert {k: form_session[k] for k in AUTH_KEYS} == {k: fixture_session[k] for k in AUTH_KEYS}
    assert set(fixture_session) <= set(form_session)  # the form's page adds its CSRF token


def test_a_client_logged_in_by_the_fixture_is_that_user(client, make_user, login):
    login(client, make_user(name="林小姐"))
    page = client.get("/me")
    assert page.status_code == 200
    assert "林小姐" in page.get_data(as_text=True)


def test_the_login_form_accepts_the_factories_password(client, make_user, login_with_form):
    login_with_form(client, make_user(name="林小姐"))
    assert "林小姐" in client.get("/me").get_data(as_text=True)


def test_production_hashes_passwords_with_scrypt_and_only_the_tests_hash_cheaply(
    session, monkeypatch
):
    assert ProductionConfig.PASSWORD_HASH_METHOD == Config.PASSWORD_HASH_METHOD == "scrypt"
    assert TestingConfig.PASSWORD_HASH_METHOD != "scrypt"
    # Building an app applies its method; put the tests' cheap one back afterwards.
    monkeypatch.setattr(accounts, "_hash_method", accounts.password_hash_method())
    create_app(Config, SQLALCHEMY_DATABASE_URI="sqlite://")
    user = accounts.create_user(
        session, email="strong@example.tw", display_name="強", password="long password"
    )
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "long password")
    assert accounts.authenticate(session, "strong@example.tw", "long password") is user


def test_the_tests_accounts_use_the_cheap_method(session):
    user = accounts.create_user(
        session, email="cheap@example.tw", display_name="快", password="long password"
    )
    assert user.password_hash.startswith(TestingConfig.PASSWORD_HASH_METHOD + "$")
    assert accounts.authenticate(session, "cheap@example.tw", "long password") is user

"""When the database does not answer, pages say so plainly (503, ``Retry-After``, no stack
trace), the API answers the same in JSON, ``/healthz`` still answers and ``/readyz`` names the
database; the first request after the database is back succeeds."""

from __future__ import annotations

import socket
import threading

import pytest
from sqlalchemy.engine import make_url

from app import create_app
from app.config import from_env
from tests.conftest import base_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Forwarder:
    """A local port that forwards to PostgreSQL while it runs. Stopping it is the database
    going away for the app (every connection cut, new ones refused); starting it again on
    the same port is the database coming back."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self.running = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen()
        self.listener.settimeout(0.1)
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        self.running = False
        self.thread.join()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()


def serving_app(url: str, tmp_path):
    """The app as it is configured in production for ``url`` (pool, pre-ping, timeouts)."""
    config = base_config(url, tmp_path)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = from_env(str(tmp_path), {"DATABASE_URL": url})[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ]
    return create_app(config)


def assert_plain_503(response) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "Temporarily unavailable" in page
    assert f"Reference: <code>{response.headers['X-Request-ID']}</code>" in page
    assert "Traceback" not in page and "psycopg" not in page and "OperationalError" not in page


@pytest.fixture
def app_without_database(tmp_path):
    """The app pointed at a PostgreSQL port where nothing listens."""
    app = serving_app(f"postgresql+psycopg://inventory@127.0.0.1:{free_port()}/inventory", tmp_path)
    yield app
    app.extensions["search_store"].close()


def test_a_page_answers_503_with_retry_after_and_no_trace(app_without_database):
    response = app_without_database.test_client().get("/institutions")
    assert_plain_503(response)
    assert "Search the inventory" in response.get_data(as_text=True)  # the site's own page


def test_a_signed_in_visitor_gets_the_same_page_without_a_second_try(app_without_database):
    client = app_without_database.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "some-session-token"
    response = client.get("/review/")
    assert_plain_503(response)
    assert "Sign out" not in response.get_data(as_text=True)


def test_the_api_answers_503_in_json(app_without_database):
    response = app_without_database.test_client().get("/api/v1/institutions")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["status"] == 503
    assert body["error"] == "Temporarily unavailable"
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_healthz_still_answers_and_readyz_names_the_database(app_without_database):
    client = app_without_database.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "database" in response.get_json()["down"]
    assert int(response.headers["Retry-After"]) > 0


def test_the_first_request_after_the_database_comes_back_succeeds(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("a database server that goes away: PostgreSQL only")
    url = make_url(database_url)
    forwarder = Forwarder(url.host or "127.0.0.1", url.port or 5432)
    forwarder.start()
    app = serving_app(
        url.set(host="127.0.0.1", port=forwarder.port).render_as_string(False), tmp_path
    )
    client = app.test_client()
    try:
        # Connected, with a connection kept in the pool.
        assert client.get("/institutions").status_code == 200
        assert client.get("/api/v1/institutions").status_code == 200

        # A restart between two requests cuts the pooled connection: nobody notices.
        forwarder.stop()
        forwarder.start()
        assert client.get("/institutions").status_code == 200

        forwarder.stop()
        assert_plain_503(client.get("/institutions"))
        assert client.get("/api/v1/institutions").status_code == 503
        assert client.get("/readyz").get_json()["checks"]["database"] == "down"

        forwarder.start()
        response = client.get("/institutions")
        assert response.status_code == 200
        assert "Oklahoma State University" in response.get_data(as_text=True)
        assert client.get("/readyz").get_json()["checks"]["database"] == "ok"
    finally:
        forwarder.stop()
        app.extensions["search_store"].close()
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()

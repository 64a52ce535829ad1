"""Property-based requests generated from the OpenAPI schema: whatever arrives, never a 5xx.

Bounded (a few examples per operation) so the run stays within seconds; it is the schema's
coverage, not the count, that finds a route without validation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from solemate.web import LOOPBACK_HOSTS, WebConfig, create_app
from tests.journal.conftest import FakeClock
from tests.web.conftest import NO

TOKEN = "schemathesis-token-0123456789abcdef"


def _app(folder: Path) -> Any:
    config = WebConfig(
        data_dir=folder / "data",
        database_url=f"sqlite:///{folder / 'journal.sqlite3'}",
        speech_cache_dir=folder / "speech",
        clock=FakeClock(),
        allowed_hosts=(*LOOPBACK_HOSTS, "testserver"),  # the name schemathesis's client sends
    )
    app = create_app(config)
    # a current safety screen, so starting a session is reachable too
    services = app.state.services
    from solemate import safety_service

    safety_service.record_screen(services.journal, services.today(), NO)
    safety_service.record_tonight(services.journal, services.today(), [])
    return app


_folder = Path(__import__("tempfile").mkdtemp(prefix="solemate-schemathesis-"))
APP = _app(_folder)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_makes_the_server_fail(case: Any) -> None:
    case.call_and_validate(
        headers={"x-csrf-token": TOKEN},
        cookies={"solemate_csrf": TOKEN},
        checks=[not_a_server_error],
    )


@pytest.fixture(scope="module", autouse=True)
def _close_journal() -> Any:
    yield
    APP.state.services.journal.close()

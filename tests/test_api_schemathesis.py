"""schemathesis against the app's own /openapi.json, in process (ASGI), on the real corpus:
no 5xx, and every response (status code, content type, headers, body) matches the schema."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.checks import not_a_server_error

MAX_EXAMPLES = 15  # per operation: the whole file runs in about a minute on the shared machine


@pytest.fixture(scope="module")
def api_schema(ingested_settings):
    from search_api.app import create_app

    return schemathesis.openapi.from_asgi("/openapi.json", create_app(ingested_settings, rate_limit="0"))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case):
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_headers_conformance, response_schema_conformance])

"""schemathesis against the app's own /openapi.json, in process (ASGI), on the real corpus:
no 5xx, and every response (status code, content type, headers, body) matches the schema.

One test per operation; each runs ``MAX_EXAMPLES`` generated requests (hypothesis).
(schemathesis' own ``pytest.from_fixture`` does not run under the pytest of this project, so the
operations' strategies are driven with hypothesis directly.)
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 15  # per operation: the whole file runs in about a minute on the shared machine
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


# Staff operations (tag "staff", search_api/staff/) answer 401/403/404 that their schema does
# not declare yet: for them only "no 5xx" is checked until they document those responses.
STAFF_TAG = "staff"


def _operations() -> list[tuple[str, bool]]:
    from jdih_server.app import create_app

    spec = create_app(rate_limit="0").openapi()  # the schema needs no knowledge base
    return [(f"{method.upper()} {path}", STAFF_TAG in (op.get("tags") or []))
            for path, item in spec["paths"].items() for method, op in item.items()]


@pytest.fixture(scope="module")
def api_schema(ingested_settings):
    from jdih_server.app import create_app

    return schemathesis.openapi.from_asgi("/openapi.json", create_app(ingested_settings, rate_limit="0"))


@pytest.mark.parametrize("label,staff", _operations(), ids=[x for x, _ in _operations()])
def test_operation_conforms_to_the_schema(api_schema, label, staff):
    method, path = label.split(" ", 1)
    operation = next(r.ok() for r in api_schema.get_all_operations()
                     if r.ok().method.upper() == method and r.ok().path == path)

    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    @given(case=operation.as_strategy())
    def run(case):
        case.call_and_validate(checks=[not_a_server_error] if staff else CHECKS)

    run()

"""schemathesis against the app's own /openapi.json, in process (ASGI), on the real corpus, with
every check schemathesis 4 has (``--checks all``) on every operation, the staff ones included.

One test per operation. Each sends, and validates with all the checks:

- ``MAX_EXAMPLES`` generated valid requests (hypothesis, positive mode): no 5xx, every response
  conforms to the schema (status, content type, headers, body), and valid data is accepted;
- ``MAX_EXAMPLES`` generated invalid requests (negative mode): rejected with a 4xx;
- schemathesis' coverage cases: every probe with a method the operation does not declare and
  every one leaving out a required parameter or header, and the first ``MAX_COVERAGE`` others
  (boundary values, wrong types).

Staff operations (tag "staff") are called with an admin token, so they do their work, and
``ignored_auth`` checks that the same request without the token, and with a wrong one, is
refused (401/403). They run on a copy of the test knowledge base (they write: accounts,
relations, withdrawals).

``test_linked_operations`` then runs schemathesis' stateful phase: sequences along the links it
infers (create an account, then revoke it; list jobs, then read one; ...), where use_after_free
and ensure_resource_availability apply.

A check that cannot apply is left out in ``EXCLUDED`` / ``EXCLUDED_FOR`` with its reason.
(schemathesis' own ``pytest.from_fixture`` does not run under the pytest of this project, so the
operations' strategies are driven with hypothesis directly.)
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import CoverageScenario

from tests.conftest import copy_kb, staff_token

MAX_EXAMPLES = 10  # per operation and mode
STATEFUL_EXAMPLES = 15  # scenarios of the stateful test (each up to STATEFUL_STEPS calls)
STATEFUL_STEPS = 6
MAX_COVERAGE = 40  # coverage cases per operation, besides those of ALWAYS
# the coverage scenarios behind unsupported_method, missing_required_header and the 4xx for a
# missing required parameter: always sent
ALWAYS = {CoverageScenario.UNSPECIFIED_HTTP_METHOD, CoverageScenario.MISSING_PARAMETER}

load_all_checks()
ALL_CHECKS = {c.__name__: c for c in CHECKS.get_all() if callable(c) and not isinstance(c, type)}

# check -> why it cannot apply here (for every operation)
EXCLUDED = {
    # needs two identities, each creating objects the other then reads; the API has no
    # per-user objects (staff accounts see the same knowledge base)
    "object_level_authorization": "no per-identity objects",
}
# (operation, check) -> why it cannot apply to that operation
EXCLUDED_FOR = {
    # a file the schema admits (any bytes) is rarely a regulation: an image is 415, a text
    # without a heading naming type, number and year is 422 (issue 17 item 12)
    ("POST /api/v1/regulations", "positive_data_acceptance"): "valid bytes are not a valid regulation",
}
# Parameters whose valid values only the server can make: a cursor is the next_cursor of a
# previous page, so positive cases leave it out (negative ones keep it: a forged cursor is a 422).
SERVER_MADE = {"cursor"}


def _auth_for(case, auth: dict[str, str] | None) -> dict[str, str] | None:
    """The token for a case, unless the case is about its headers being wrong (a negative case that
    leaves out or garbles Authorization must reach the server as generated)."""
    if auth and case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return None
    return auth


def _not_to_itself(case) -> None:
    """A relation's ``target`` must differ from the path's ``work_id`` (a work cannot amend or revoke
    itself: 422), a rule JSON Schema cannot state across a path parameter and a body or query
    value: positive cases that draw the same id get another target."""
    work_id = (case.path_parameters or {}).get("work_id")
    for holder in (case.body if isinstance(case.body, dict) else None, case.query):
        if work_id and holder and holder.get("target") == work_id:
            holder["target"] = ("a" if work_id[0] != "a" else "b") + work_id[1:]
STAFF_TAG = "staff"


def _operations() -> list[tuple[str, bool]]:
    from jdih_server.app import create_app

    spec = create_app(rate_limit="0").openapi()  # the schema needs no knowledge base
    return [(f"{method.upper()} {path}", STAFF_TAG in (op.get("tags") or []))
            for path, item in spec["paths"].items() for method, op in item.items()]


@pytest.fixture(scope="module")
def st_settings(ingested_settings, tmp_path_factory):
    """A copy of the test knowledge base (staff operations write to it) and an admin token."""
    settings = copy_kb(ingested_settings, tmp_path_factory.mktemp("schemathesis-kb"))
    return settings, staff_token(settings, "admin", "schemathesis")


@pytest.fixture(scope="module")
def api_schema(st_settings):
    from jdih_server.app import create_app
    from search_api.auth import FailureLimiter

    app = create_app(st_settings[0], rate_limit="0")
    # ignored_auth sends wrong tokens on purpose: the failed-token throttle (tests/test_hardening.py)
    # would soon answer everything with 429, which every check accepts
    app.state.auth_failures = FailureLimiter(max_failures=10**9)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize("label,staff", _operations(), ids=[x for x, _ in _operations()])
def test_operation_conforms_to_the_schema(api_schema, st_settings, label, staff):
    method, path = label.split(" ", 1)
    operation = next(r.ok() for r in api_schema.get_all_operations()
                     if r.ok().method.upper() == method and r.ok().path == path)
    checks = [c for name, c in ALL_CHECKS.items() if name not in EXCLUDED and (label, name) not in EXCLUDED_FOR]
    headers = {"Authorization": f"Bearer {st_settings[1]}"} if staff else None
    opaque = {p.name for p in operation.iter_parameters() if p.name in SERVER_MADE and p.location == "query"}

    statuses: set[int] = set()

    def validate(case):
        if case.meta is not None and case.meta.generation.mode.is_positive:
            for name in opaque:
                (case.query or {}).pop(name, None)
            _not_to_itself(case)
        statuses.add(case.call_and_validate(checks=checks, headers=_auth_for(case, headers)).status_code)

    has_inputs = bool(list(operation.iter_parameters())) or bool(operation.body)
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if has_inputs else (GenerationMode.POSITIVE,):
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            validate(case)

        run()

    config = api_schema.config.generation_for(operation=operation)
    cases = api_schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode), generation_config=config)
    others = 0
    for case in cases:  # every method and missing-parameter probe, and the first MAX_COVERAGE others
        if getattr(case.meta.phase.data, "scenario", None) not in ALWAYS:
            others += 1
            if others > MAX_COVERAGE:
                continue
        validate(case)

    assert 429 not in statuses  # nothing passed by being throttled
    if staff:
        assert statuses - {401, 403}, "the admin token was refused everywhere: the checks saw no staff work"


def test_linked_operations(api_schema, st_settings):
    """The stateful phase: sequences that follow the links schemathesis infers from the schema
    (POST /accounts -> DELETE /accounts/{account_id}, GET /jobs -> GET /jobs/{job_id}, GET
    /regulations/{work_id} -> its articles, ...), with every check: use_after_free (a deleted
    resource is gone) and ensure_resource_availability (a created one is there) need these
    sequences. Each scenario has an admin token of its own (a scenario may revoke it: GET
    /accounts -> DELETE /accounts/{account_id}); runs last in the module."""
    checks = [c for name, c in ALL_CHECKS.items() if name not in EXCLUDED]
    base = api_schema.as_state_machine()
    steps: list[int] = []
    scenarios = iter(range(10**6))

    def new_token() -> dict[str, str]:
        return {"Authorization": f"Bearer {staff_token(st_settings[0], 'admin', f'stateful-{next(scenarios)}')}"}

    class Machine(base):
        def setup(self):
            self.auth = new_token()

        def get_call_kwargs(self, case):
            return {"headers": _auth_for(case, self.auth)} if _auth_for(case, self.auth) else {}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            steps.append(response.status_code)
            case.validate_response(response, checks=checks, headers=_auth_for(case, self.auth),
                                   transport_kwargs=kwargs or None, recorder=self.recorder)

    run_state_machine_as_test(Machine, settings=settings(
        max_examples=STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS, deadline=None, derandomize=True,
        database=None, suppress_health_check=list(HealthCheck)))
    assert any(200 <= s < 300 for s in steps) and 429 not in steps

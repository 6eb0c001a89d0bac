"""Schemathesis over the server's own OpenAPI schema: generated requests to every operation,
valid and invalid (a small, deterministic number of each), on the second server. No 5xx;
every response's status, media type and body as the schema says.

The operations are run from one test: schemathesis' pytest loader for a schema that only a
fixture can reach (`schemathesis.pytest.from_fixture`) fails on pytest 9 (it reads the node's
private `_nodeid`)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_its_schema_says(second_server, mode):
    auth = {"Authorization": f"Bearer {second_server.token}"}
    schema = schemathesis.openapi.from_url(f"{second_server.base}/openapi.json", headers=auth)
    operations = [result.ok() for result in schema.exclude(path="/events").get_all_operations()]  # /events never ends
    assert len(operations) >= 20
    failures = []
    for operation in operations:

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def answers_as_documented(case) -> None:
            case.call_and_validate(base_url=second_server.base, headers=auth, checks=CHECKS, timeout=30)

        try:
            answers_as_documented()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to make invalid: no parameters, no body
        except (Exception, BaseExceptionGroup) as failure:  # every operation is tried; all that fail are reported
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)

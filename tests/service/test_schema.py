"""Property-based tests: requests generated from /openapi.json must get documented answers.

Schemathesis sends valid and invalid bodies to every operation and checks that nothing is a
500, that status codes, content types and bodies match the document, and that invalid data
is rejected. Examples are few so the file runs in well under a minute.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from service.app import create_app


@pytest.fixture(scope="module")
def api_schema(bundle_path: Path, archive_dir: Path) -> schemathesis.BaseSchema:
    # Reload is enabled with a token the generated requests cannot know, so they get 401.
    # Small limits keep the generated boundary cases (longest text, most paragraphs) cheap.
    app = create_app(
        {
            "MODEL_PATH": str(bundle_path),
            "ADMIN_TOKEN": secrets.token_hex(16),
            "REVIEW_TOKEN": secrets.token_hex(16),
            "MAX_TEXT_CHARS": 2_000,
            "MAX_PARAGRAPHS": 40,
            "ARCHIVE_DIR": str(archive_dir),
        }
    )
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_openapi(case: schemathesis.Case) -> None:
    excluded = []
    if case.operation.path == "/v1/extract":
        # Any bytes match `format: binary`, but only readable reports can be accepted.
        excluded.append(positive_data_acceptance)
    if case.operation.path == "/v1/corrections" and case.method == "POST":
        # A valid correction still needs the token (which the generator cannot know) and a
        # report the archive holds.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers={"X-Request-ID": "schemathesis"}, excluded_checks=excluded)

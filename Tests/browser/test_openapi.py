"""The JSON endpoints against their OpenAPI 3.1 description, with schemathesis."""

import shutil
import subprocess
import sys

from conftest import ROOT


def test_report_and_incident_endpoints_conform_to_the_openapi_description(make_server, tmp_path):
    lines = (ROOT / "seeds" / "report-scenario.ndjson").read_text(encoding="utf-8").splitlines()
    server = make_server(lines, args=["--time-zone", "UTC"])
    command = [shutil.which("schemathesis") or shutil.which("st")] if (shutil.which("schemathesis") or shutil.which("st")) \
        else [sys.executable, "-m", "schemathesis.cli"]
    result = subprocess.run(command + [
        "run", server.url + "/api/openapi.json",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        "--max-examples", "40", "--phases", "examples,fuzzing",
        # Generation speed, not conformance: a loaded machine trips it.
        "--suppress-health-check=too_slow",
    ], capture_output=True, text=True, timeout=600, cwd=str(tmp_path))  # its cache stays out of the checkout
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]

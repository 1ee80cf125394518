"""deploy/: what can be checked without docker or systemd running the units."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.processes import PLANCYCLE

DEPLOY = Path(__file__).parent.parent / "deploy"


def test_compose_file_has_the_services_in_order() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "app", "scheduler", "proxy"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("app", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        env = services[name]["environment"]
        assert env["PLANCYCLE_DB"].startswith("postgresql://")
        assert "PLANCYCLE_SECRET_KEY" in env and "PLANCYCLE_EVIDENCE_DIR" in env
        assert services[name]["stop_signal"] == "SIGTERM"
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert "--workers" in services["app"]["command"]
    assert services["migrate"]["command"] == ["plancycle", "init"]
    assert services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert (DEPLOY / "Caddyfile").read_text().count("health_uri /readyz") == 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_units_verify(tmp_path: Path) -> None:
    units = []
    for name in ("plancycle-app.service", "plancycle-scheduler.service"):
        text = (DEPLOY / name).read_text()
        assert "EnvironmentFile=/etc/plancycle/plancycle.env" in text
        # the installed path is checked for being executable: point it at this venv's
        unit = tmp_path / name
        unit.write_text(
            text.replace("/opt/plancycle/.venv/bin/plancycle", PLANCYCLE).replace(
                "EnvironmentFile=", "EnvironmentFile=-"
            )
        )
        units.append(str(unit))
    done = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    problems = [
        line for line in done.stderr.splitlines() if "plancycle-" in line and "User=" not in line
    ]
    assert done.returncode == 0 and not problems, done.stderr

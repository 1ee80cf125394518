"""One typed settings object: every PLANCYCLE_* variable, one rule for booleans, and each
value reaching the module that uses it (injected, never read from the environment there)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.cli.context import AppContext
from plancycle.definitions.loader import load_catalog
from plancycle.notifier.channels import EmailChannel, channels_for
from plancycle.settings import BadSetting, load_settings
from plancycle.web.settings import WebSettings


@pytest.mark.parametrize(
    ("text", "value"),
    [(t, True) for t in ("1", "true", "TRUE", "yes", "on", " On ")]
    + [(t, False) for t in ("0", "false", "no", "off", "OFF", "")],
)
def test_one_rule_for_booleans(text: str, value: bool) -> None:
    s = load_settings({"PLANCYCLE_HTTPS_ONLY": text, "PLANCYCLE_SMTP_STARTTLS": text})
    assert (s.https_only, s.smtp_starttls) == (value, value)


@pytest.mark.parametrize("name", ["PLANCYCLE_HTTPS_ONLY", "PLANCYCLE_SMTP_STARTTLS"])
@pytest.mark.parametrize("text", ["maybe", "2", "y", "enabled"])
def test_a_bad_boolean_is_refused_naming_the_variable(name: str, text: str) -> None:
    with pytest.raises(BadSetting) as caught:
        load_settings({name: text})
    assert f"{name}={text!r}" in caught.value.en and "on/off" in caught.value.en
    assert f"{name}={text!r}" in caught.value.th and "หรือ" in caught.value.th


def test_a_bad_boolean_stops_the_cli_with_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANCYCLE_HTTPS_ONLY", "sometimes")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 2
    assert "PLANCYCLE_HTTPS_ONLY='sometimes'" in result.stderr
    assert "ต้องเป็น 1/0" in result.stderr


def test_bad_numbers_are_refused_naming_the_variable() -> None:
    with pytest.raises(BadSetting) as caught:
        load_settings({"PLANCYCLE_SMTP_PORT": "2x5", "PLANCYCLE_EVIDENCE_MAX_MB": "lots"})
    assert "PLANCYCLE_SMTP_PORT='2x5' must be a whole number from 1 to 65535" in caught.value.en
    assert "PLANCYCLE_EVIDENCE_MAX_MB='lots' must be a number above 0" in caught.value.en
    assert "ตั้งแต่ 1 ถึง 65535" in caught.value.th


ENV = {
    "PLANCYCLE_DB": "sqlite:///elsewhere.db",
    "PLANCYCLE_LANG": "en",
    "PLANCYCLE_EVIDENCE_DIR": "/srv/evidence",
    "PLANCYCLE_EVIDENCE_MAX_MB": "0.5",
    "PLANCYCLE_TOKEN": "tok",
    "PLANCYCLE_LOG_LEVEL": "info",
    "PLANCYCLE_LOG_JSON": "/var/log/p.jsonl",
    "PLANCYCLE_SECRET_KEY": "k" * 32,
    "PLANCYCLE_HTTPS_ONLY": "yes",
    "PLANCYCLE_SMTP_HOST": "smtp.cdd.go.th",
    "PLANCYCLE_SMTP_PORT": "587",
    "PLANCYCLE_SMTP_FROM": "noreply@cdd.go.th",
    "PLANCYCLE_SMTP_USER": "u",
    "PLANCYCLE_SMTP_PASSWORD": "p",
    "PLANCYCLE_SMTP_STARTTLS": "on",
    "PLANCYCLE_SMTP_TIMEOUT": "12",
    "PLANCYCLE_BASE_URL": "https://plan.example.go.th/",
    "PLANCYCLE_SEND_TIME": "09:15",
}


def test_every_variable_is_read_and_reaches_its_consumer(sqlite_engine: sa.Engine) -> None:
    s = load_settings(ENV)
    assert (s.db, s.language, s.token, s.log_level, s.log_json) == (
        "sqlite:///elsewhere.db",
        "en",
        "tok",
        "info",
        "/var/log/p.jsonl",
    )
    ctx = AppContext(settings=s)
    assert ctx.url == "sqlite:///elsewhere.db"
    ctx.__dict__["db"] = sqlite_engine  # the store itself is not opened here
    assert ctx.engine.evidence_folder == Path("/srv/evidence")
    assert ctx.engine.evidence_max_bytes == 512 * 1024
    web = WebSettings.of(sqlite_engine, load_catalog(), s)
    assert (web.secret_key, web.https_only, web.upload_max_bytes) == ("k" * 32, True, 512 * 1024)
    assert web.evidence_folder == Path("/srv/evidence")
    email = channels_for(s)["email"]
    assert isinstance(email, EmailChannel)
    smtp = email.settings
    assert (smtp.host, smtp.port, smtp.sender, smtp.user, smtp.password) == (
        "smtp.cdd.go.th",
        587,
        "noreply@cdd.go.th",
        "u",
        "p",
    )
    assert (smtp.starttls, smtp.timeout) == (True, 12.0)
    rules = ctx.delivery_rules
    assert (rules.base_url, rules.send_time.isoformat()) == (
        "https://plan.example.go.th",
        "09:15:00",
    )
    assert rules.inbox_url() == "https://plan.example.go.th/inbox"


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("PLANCYCLE_BASE_URL", "plan.example.go.th", "ต้องเป็นที่อยู่ http:// หรือ https://"),
        ("PLANCYCLE_SEND_TIME", "8.30", "ต้องเป็นเวลา ชม.:นาที เช่น 08:30"),
        ("PLANCYCLE_SEND_TIME", "24:00", "ต้องเป็นเวลา ชม.:นาที เช่น 08:30"),
    ],
)
def test_a_bad_base_url_or_send_time_is_refused(name: str, text: str, said: str) -> None:
    with pytest.raises(BadSetting, match=name) as caught:
        load_settings({name: text})
    assert said in caught.value.th


def test_the_process_environment_is_read_in_one_place_only() -> None:
    root = Path(__file__).resolve().parent.parent
    readers = [
        str(path.relative_to(root))
        for folder in ("definitions", "workflow", "store", "notifier", "thai", "web", "plancycle")
        for path in (root / folder).rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8")
        or "getenv" in path.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_the_web_request_limits_and_sign_in_throttle_come_from_the_settings(
    sqlite_engine: sa.Engine,
) -> None:
    default = WebSettings.of(sqlite_engine, load_catalog(), load_settings({}))
    assert default.advance_max_bytes == 10 * 20 * 1024 * 1024 + 1024 * 1024  # 201 MB
    s = load_settings(
        {
            "PLANCYCLE_EVIDENCE_MAX_MB": "2",
            "PLANCYCLE_UPLOAD_MAX_FILES": "3",
            "PLANCYCLE_FORM_MAX_FIELDS": "20",
            "PLANCYCLE_SIGNIN_MAX_FAILURES": "5",
            "PLANCYCLE_SIGNIN_WINDOW_S": "300",
        }
    )
    web = WebSettings.of(sqlite_engine, load_catalog(), s)
    assert web.advance_max_bytes == s.request_max_bytes == 7 * 1024 * 1024
    assert (web.upload_max_files, web.form_max_fields) == (3, 20)
    assert (web.signin_max_failures, web.signin_window_s) == (5, 300)
    assert load_settings({"PLANCYCLE_REQUEST_MAX_MB": "50"}).request_max_bytes == 50 * 1024 * 1024
    with pytest.raises(BadSetting) as refused:
        load_settings({"PLANCYCLE_UPLOAD_MAX_FILES": "0"})
    assert "PLANCYCLE_UPLOAD_MAX_FILES" in refused.value.en and "1 to 1000" in refused.value.en


def test_the_busy_timeout_reaches_the_store_engine_and_web(tmp_path: Path) -> None:
    s = load_settings(
        {"PLANCYCLE_BUSY_TIMEOUT_S": "1.5", "PLANCYCLE_DB": f"sqlite:///{tmp_path / 'b.db'}"}
    )
    ctx = AppContext(settings=s)
    with ctx.raw_db.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
    ctx.__dict__["db"] = ctx.raw_db
    assert ctx.engine.busy_timeout_s == 1.5
    assert WebSettings.of(ctx.raw_db, load_catalog(), s).busy_timeout_s == 1.5
    with pytest.raises(BadSetting) as caught:
        load_settings({"PLANCYCLE_BUSY_TIMEOUT_S": "soon"})
    assert "PLANCYCLE_BUSY_TIMEOUT_S='soon'" in caught.value.en

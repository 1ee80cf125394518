"""Every ``PLANCYCLE_*`` variable, read in one place into one typed :class:`Settings`.

The environment is read here only (by pydantic-settings); the store, the engine, the
notifier, the logs and the web app receive the values they need. Booleans follow one
rule: ``1/true/yes/on`` and ``0/false/no/off`` (any case; empty is the default); any
other value is refused with a message naming the variable. A value that cannot be used
(a port that is no number) is refused the same way, in Thai and English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from plancycle.errors import PlancycleError

__all__ = ["PREFIX", "BadSetting", "Settings", "load_settings", "parse_bool"]

PREFIX = "PLANCYCLE_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class BadSetting(PlancycleError):
    """A ``PLANCYCLE_*`` variable whose value cannot be used."""


def parse_bool(value: Any) -> bool:
    """The one rule for boolean settings."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError("not a boolean")


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _base_url(value: Any) -> Any:
    """``https://plan.example.go.th`` (no trailing slash); blank is none."""
    value = _blank_is_none(value)
    if value is None:
        return None
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise ValueError("not an http(s) URL")
    return text


def _hh_mm(value: Any) -> Any:
    """``08:30``: hours and minutes of a working morning."""
    if isinstance(value, time):
        return value
    text = str(value).strip()
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise ValueError("not HH:MM") from None


Flag = Annotated[bool, BeforeValidator(parse_bool)]
Optional = Annotated[str | None, BeforeValidator(_blank_is_none)]


class Settings(BaseSettings):
    """The configuration of a plancycle process (see the README's Configuration table)."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, extra="ignore", frozen=True
    )

    db: str = "sqlite:///plancycle.db"
    lang: str = "th"
    token: Optional = None
    evidence_dir: Path = Path("evidence")
    evidence_max_mb: Annotated[float, Field(gt=0)] = 20.0
    busy_timeout_s: Annotated[float, Field(gt=0, le=600)] = 5.0
    log_level: str = "ERROR"
    log_json: Optional = None
    secret_key: Optional = None
    https_only: Flag = False
    upload_max_files: Annotated[int, Field(ge=1, le=1000)] = 10
    form_max_fields: Annotated[int, Field(ge=1, le=10000)] = 100
    request_max_mb: Annotated[float | None, Field(gt=0)] = None
    signin_max_failures: Annotated[int, Field(ge=1, le=1000)] = 10
    signin_window_s: Annotated[int, Field(ge=1, le=86400)] = 60
    summary_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    smtp_host: Optional = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
    smtp_from: Optional = None
    smtp_user: Optional = None
    smtp_password: Optional = None
    smtp_starttls: Flag = False
    smtp_timeout: Annotated[int, Field(ge=1, le=3600)] = 30
    line_token: Optional = None
    line_api: str = "https://api.line.me"
    line_secret: Optional = None
    base_url: Annotated[str | None, BeforeValidator(_base_url)] = None
    send_time: Annotated[time, BeforeValidator(_hh_mm)] = time(8, 30)

    @property
    def evidence_dir_set(self) -> Path | None:
        """``PLANCYCLE_EVIDENCE_DIR`` when it was set; None when it is the default (the
        store's recorded folder is then used: ``workflow/evidence_folder.py``)."""
        return self.evidence_dir if "evidence_dir" in self.model_fields_set else None

    @property
    def evidence_max_bytes(self) -> int:
        return int(self.evidence_max_mb * 1024 * 1024)

    @property
    def request_max_bytes(self) -> int:
        """The largest request body the web app reads: the setting, or room for as many
        evidence files as a request may carry, each at its limit, plus 1 MB of fields."""
        if self.request_max_mb is not None:
            return int(self.request_max_mb * 1024 * 1024)
        return self.evidence_max_bytes * self.upload_max_files + 1024 * 1024

    @property
    def language(self) -> str:
        """``th`` or ``en``; anything else is Thai, the default."""
        lang = self.lang.strip().lower()
        return lang if lang in ("th", "en") else "th"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)  # no .env file, no secrets folder


class _GivenOnly(Settings):
    """Settings from a given mapping only (tests, or a caller that has its own)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _wanted(field: str) -> tuple[str, str]:
    info = Settings.model_fields[field]
    annotation = info.annotation
    if annotation is bool:
        return (
            "must be 1/0, true/false, yes/no or on/off",
            "ต้องเป็น 1/0, true/false, yes/no หรือ on/off",
        )
    if annotation in (int, float):
        low = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
        high = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
        kind_en, kind_th = (
            ("a whole number", "จำนวนเต็ม")
            if annotation is int
            else ("a number above 0", "ตัวเลขที่มากกว่า 0")
        )
        if low is not None and high is not None:
            return f"must be {kind_en} from {low} to {high}", f"ต้องเป็น{kind_th}ตั้งแต่ {low} ถึง {high}"
        return f"must be {kind_en}", f"ต้องเป็น{kind_th}"
    if field == "base_url":
        return (
            "must be an http:// or https:// address such as https://plan.example.go.th",
            "ต้องเป็นที่อยู่ http:// หรือ https:// เช่น https://plan.example.go.th",
        )
    if field == "send_time":
        return "must be a time HH:MM such as 08:30", "ต้องเป็นเวลา ชม.:นาที เช่น 08:30"
    return "cannot be used", "ใช้ไม่ได้"


def _refusal(exc: ValidationError) -> BadSetting:
    en: list[str] = []
    th: list[str] = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = PREFIX + field.upper()
        shown = repr(error.get("input"))
        wanted_en, wanted_th = _wanted(field)
        en.append(f"{name}={shown} {wanted_en}")
        th.append(f"{name}={shown} {wanted_th}")
    return BadSetting("; ".join(en), "; ".join(th))


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings from the process environment, or from ``env`` alone when given."""
    try:
        if env is None:
            return Settings()
        given: dict[str, Any] = {
            k[len(PREFIX) :].lower(): v
            for k, v in env.items()
            if k.startswith(PREFIX) and v.strip()
        }
        return _GivenOnly(**given)
    except ValidationError as exc:
        raise _refusal(exc) from None

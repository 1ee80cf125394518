"""Who is reached where: the ``contact`` table, read once per sweep, and its CSV import.

A contact says that a role answering for an area (a province, district, tambon or
village code; "" for a nation-wide role such as CDD) is reached on a channel at an
address. :class:`ContactBook` answers "where do I send notices for this role at this
area?" from memory; the caller cuts the area code to the role's level first
(``plancycle.workflow.notices.area_for_role``).

``check_contact`` is the one check of a contact's fields, used by the CSV import, the
contacts page and the API: each problem names its field. ``import_contacts_csv`` reads
``area_code,role,channel,address[,name][,delivery]`` and checks every row before writing
any: a bad file is reported whole and changes nothing.

How a contact is told (``contact.delivery``) has one default, :func:`default_delivery`:
offices (a role answering for a province, district, tambon or village) get one digest
per working day; roles above the province (nation-wide, such as CDD) hear of each
escalation at once. A contact's own ``delivery`` overrides it (:func:`set_delivery`).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from plancycle.errors import PlancycleError
from plancycle.kinds import Delivery
from plancycle.notifier.line_api import line_id_problem
from plancycle.store.models import Contact
from plancycle.text import text_problem
from plancycle.thai.areacode import NATION, level_of
from plancycle.thai.digits import from_thai_digits

__all__ = [
    "CHANNELS",
    "CSV_COLUMNS",
    "FIELDS",
    "ContactBook",
    "ContactImportError",
    "ContactFields",
    "ContactProblem",
    "FieldProblem",
    "NoSuchContact",
    "check_contact",
    "default_delivery",
    "import_contacts_csv",
    "set_delivery",
]

#: The channels a contact may name.
CHANNELS: tuple[str, ...] = ("log", "email", "webhook", "line")
#: The CSV header: four required columns and an optional ``name``.
CSV_COLUMNS: tuple[str, ...] = ("area_code", "role", "channel", "address", "name", "delivery")
_REQUIRED = CSV_COLUMNS[:4]
#: Every field of a contact a person may set (the CSV's columns).
FIELDS: tuple[str, ...] = CSV_COLUMNS
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
_KEY = ["area_code", "role", "channel", "address"]
_CHUNK = 500


def default_delivery(area_code: str) -> Delivery:
    """How a role answering for ``area_code`` (cut to the role's own level, "" for a
    nation-wide role) is told when its contact does not say: offices get a digest, roles
    above the province each notice at once."""
    return Delivery.IMMEDIATE if area_code == NATION else Delivery.DIGEST


class ContactBook:
    """Contacts in memory: ``lookup(role, area_code)`` -> [(channel, address), ...]."""

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self._by_key: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        self._names: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
        self._delivery: dict[tuple[str, str, str, str], Delivery] = {}
        for c in contacts:
            self._by_key[(c.role, c.area_code)].append((c.channel, c.address))
            if c.delivery:
                self._delivery[(c.role, c.area_code, c.channel, c.address)] = Delivery(c.delivery)
            shown = c.name or (c.address if c.channel == "email" else "")
            if shown:
                self._names[(c.role, c.area_code)][shown] = None

    @classmethod
    def load(cls, session: Session) -> ContactBook:
        """Every contact in the ``contact`` table, read once."""
        return cls(session.exec(select(Contact).order_by(col(Contact.id))).all())

    def lookup(self, role: str, area_code: str) -> list[tuple[str, str]]:
        """Where ``role`` answering for exactly ``area_code`` is reached ("" = nation-wide)."""
        return list(self._by_key.get((role, area_code), ()))

    def delivery(self, role: str, area_code: str, channel: str, address: str) -> Delivery:
        """How the contact (or the log fallback) is told: its own setting, else the
        default for ``area_code`` (:func:`default_delivery`)."""
        return self._delivery.get((role, area_code, channel, address)) or default_delivery(
            area_code
        )

    def offices(self, role: str, area_code: str) -> list[str]:
        """Who ``role`` at exactly ``area_code`` is, as people may be told: the contacts'
        names, or an e-mail address where no name is given (never a webhook's URL)."""
        return list(self._names.get((role, area_code), ()))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())


@dataclass(frozen=True, slots=True)
class ContactProblem:
    """What is wrong with one line of a contacts file."""

    line: int  # 1 is the header; 0 is the file as a whole
    en: str
    th: str

    @property
    def where_en(self) -> str:
        return f"line {self.line}" if self.line else "file"

    @property
    def where_th(self) -> str:
        return f"บรรทัด {self.line}" if self.line else "แฟ้ม"

    def __str__(self) -> str:
        return f"{self.where_en}: {self.en} | {self.where_th}: {self.th}"


class ContactImportError(PlancycleError):
    """A contacts file with problems; ``problems`` lists each bad line. Nothing was written."""

    exit_code = 2

    def __init__(self, path: Path | str, problems: list[ContactProblem]) -> None:
        self.path = str(path)
        self.problems = problems
        n = len(problems)
        lines_en = "\n".join(f"  {p.where_en}: {p.en}" for p in problems)
        lines_th = "\n".join(f"  {p.where_th}: {p.th}" for p in problems)
        super().__init__(
            f"contacts file {self.path} has {n} problem{'s' if n != 1 else ''}; "
            f"nothing was imported. Fix them and import again:\n{lines_en}",
            f"แฟ้มผู้ติดต่อ {self.path} มีข้อผิดพลาด {n} รายการ ยังไม่ได้นำเข้าข้อมูลใดเลย "
            f"แก้ไขแล้วนำเข้าใหม่:\n{lines_th}",
        )


def import_contacts_csv(session: Session, path: Path | str, roles: Collection[str]) -> int:
    """Add or update the contacts in the CSV file at ``path``; the number of rows added
    or changed (0 when the file was imported before). Every row is checked first and
    :class:`ContactImportError` lists all problems, writing nothing. ``roles`` are the
    role codes a contact may name. An empty or absent ``delivery`` keeps the default.
    Nothing is committed: the caller owns the transaction.
    """
    rows = _read_rows(path, roles)
    written = _upsert(session, rows)
    logger.info(
        "contacts import {path}: {n} rows, {w} added or changed",
        path=str(path),
        n=len(rows),
        w=written,
    )
    return written


# --- reading and checking ----------------------------------------------------


def _read_rows(path: Path | str, roles: Collection[str]) -> list[dict[str, Any]]:
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    columns = _check_header(path, header)
    problems: list[ContactProblem] = []
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, fields in _records(reader):
        row, errors = _parse_row(fields, columns, roles)
        if not errors:
            key = tuple(row[k] for k in _KEY)
            if key in seen:
                errors.append(_dup(seen[key]))
            seen.setdefault(key, line)
        if errors:
            problems.append(_combine(line, errors))
        else:
            rows.append(row)
    if problems:
        raise ContactImportError(path, problems)
    return rows


def _read_text(path: Path | str) -> str:
    try:
        return Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ContactImportError(
            path,
            [
                ContactProblem(
                    0,
                    f"cannot read the file ({exc.strerror or exc})",
                    f"อ่านแฟ้มไม่ได้ ({exc.strerror or exc})",
                )
            ],
        ) from exc
    except UnicodeDecodeError as exc:
        raise ContactImportError(
            path,
            [
                ContactProblem(
                    0,
                    f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8 CSV",
                    f"แฟ้มไม่ได้เข้ารหัสแบบ UTF-8 (ไบต์ที่ {exc.start}) ให้บันทึกเป็น CSV UTF-8",
                )
            ],
        ) from exc


def _check_header(path: Path | str, header: list[str] | None) -> list[str]:
    columns = [h.strip().lower() for h in header or []]
    missing = [c for c in _REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if missing or unknown or repeated:
        wanted = ",".join(_REQUIRED) + "[,name][,delivery]"
        got = ",".join(columns) or "(empty file)"
        raise ContactImportError(
            path,
            [
                ContactProblem(
                    1,
                    f"the header must be {wanted}, not {got}",
                    f"หัวตารางต้องเป็น {wanted} แต่พบ {got}",
                )
            ],
        )
    return columns


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank record."""
    for fields in reader:
        if any(f.strip() for f in fields):
            yield reader.line_num, fields


def _parse_row(
    fields: list[str], columns: list[str], roles: Collection[str]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    while len(fields) < len(columns) and columns[len(fields)] in ("name", "delivery"):
        fields = [*fields, ""]  # empty trailing optional fields may be left out
    if len(fields) != len(columns):
        return {}, [
            (
                f"has {len(fields)} fields, the header has {len(columns)}",
                f"มี {len(fields)} ช่อง แต่หัวตารางมี {len(columns)} ช่อง",
            )
        ]
    checked, problems = check_contact(dict(zip(columns, fields, strict=True)), roles)
    if checked is None:
        return {}, [(p.en, p.th) for p in problems]
    # an empty or absent delivery is the role's default, as on the page
    return checked.row(), []


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one field of a contact (``field``: one of :data:`FIELDS`)."""

    field: str
    en: str
    th: str


@dataclass(frozen=True, slots=True)
class ContactFields:
    """A contact's fields, checked and normalised (Thai digits, the channel's case)."""

    area_code: str
    role: str
    channel: str
    address: str
    name: str = ""
    delivery: str | None = None  # a Delivery; None: the role's default

    def row(self) -> dict[str, str | None]:
        return asdict(self)

    def contact(self) -> Contact:
        """A new ``contact`` row of these fields."""
        return Contact(
            area_code=self.area_code,
            role=self.role,
            channel=self.channel,
            address=self.address,
            name=self.name,
            delivery=self.delivery,
        )


def check_contact(
    raw: Mapping[str, str | None], roles: Collection[str]
) -> tuple[ContactFields | None, list[FieldProblem]]:
    """The one check of a contact's fields, as typed (``area_code``, ``role``,
    ``channel``, ``address``, ``name``, ``delivery``; missing ones are empty): the
    contact normalised, or None and every problem, each naming its field. Whether the
    area is the caller's and the contact is new are the caller's to ask."""
    typed = {f: (raw.get(f) or "") for f in FIELDS}
    unstorable = [FieldProblem(f, *p) for f in FIELDS if (p := text_problem(typed[f], f))]
    if unstorable:
        return None, unstorable
    v = {f: typed[f].strip() for f in FIELDS}
    fields = ContactFields(
        area_code=from_thai_digits(v["area_code"]),
        role=v["role"],
        channel=v["channel"].lower(),
        address=v["address"],
        name=v["name"],
        delivery=v["delivery"].lower() or None,
    )
    checks = (
        ("area_code", _check_area(fields.area_code)),
        ("role", _check_role(fields.role, roles)),
        ("channel", _check_channel(fields.channel)),
        ("address", _check_address(fields.channel, fields.address)),
        ("delivery", _check_delivery(fields.delivery)),
    )
    problems = [FieldProblem(f, *e) for f, e in checks if e]
    return (None, problems) if problems else (fields, [])


def _check_delivery(delivery: str | None) -> tuple[str, str] | None:
    if delivery is None or delivery in Delivery.__members__.values():
        return None
    known = ", ".join(Delivery)
    return (
        f"unknown delivery {delivery!r} (use {known}, or leave it empty for the role's default)",
        f"ไม่รู้จักวิธีแจ้ง {delivery!r} (ใช้ {known} หรือเว้นว่างเพื่อใช้ค่าเริ่มต้นของบทบาท)",
    )


def _check_area(code: str) -> tuple[str, str] | None:
    if code == NATION or level_of(code) is not None:
        return None
    return (
        f"area code {code!r} must be empty (nation-wide) or 2, 4, 6 or 8 digits",
        f"รหัสพื้นที่ {code!r} ต้องว่าง (ทั่วประเทศ) หรือเป็นตัวเลข 2, 4, 6 หรือ 8 หลัก",
    )


def _check_role(role: str, roles: Collection[str]) -> tuple[str, str] | None:
    if role in roles:
        return None
    known = ", ".join(sorted(roles))
    return f"unknown role {role!r} (known: {known})", f"ไม่รู้จักบทบาท {role!r} (ที่มี: {known})"


def _check_channel(channel: str) -> tuple[str, str] | None:
    if channel in CHANNELS:
        return None
    known = ", ".join(CHANNELS)
    return f"unknown channel {channel!r} (use {known})", f"ไม่รู้จักช่องทาง {channel!r} (ใช้ {known})"


def _check_address(channel: str, address: str) -> tuple[str, str] | None:
    if not address:
        return "the address is empty", "ไม่ได้ระบุที่อยู่"
    if channel == "email" and not _EMAIL.fullmatch(address):
        return (
            f"{address!r} is not an e-mail address (name@example.go.th)",
            f"{address!r} ไม่ใช่ที่อยู่อีเมล (ชื่อ@example.go.th)",
        )
    if channel == "webhook" and not _is_http_url(address):
        return (
            f"{address!r} is not an http:// or https:// URL",
            f"{address!r} ไม่ใช่ URL แบบ http:// หรือ https://",
        )
    if channel == "line":
        return line_id_problem(address)
    return None


def _is_http_url(address: str) -> bool:
    try:
        parts = urlsplit(address)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in address


def _dup(first: int) -> tuple[str, str]:
    return (
        f"repeats line {first} (same area code, role, channel and address)",
        f"ซ้ำกับบรรทัด {first} (รหัสพื้นที่ บทบาท ช่องทาง และที่อยู่เดียวกัน)",
    )


def _combine(line: int, errors: list[tuple[str, str]]) -> ContactProblem:
    return ContactProblem(
        line, "; ".join(en for en, _ in errors), "; ".join(th for _, th in errors)
    )


# --- writing -----------------------------------------------------------------


def _upsert(session: Session, rows: list[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT (area_code, role, channel, address) DO UPDATE name and
    delivery, only where one changed; the count of rows inserted or updated."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    written = 0
    for start in range(0, len(rows), _CHUNK):
        values = insert(Contact).values(rows[start : start + _CHUNK])
        upsert = values.on_conflict_do_update(
            index_elements=_KEY,
            set_={"name": values.excluded.name, "delivery": values.excluded.delivery},
            where=sa.or_(
                col(Contact.name) != values.excluded.name,
                col(Contact.delivery).is_distinct_from(values.excluded.delivery),
            ),
        ).returning(col(Contact.id))
        written += len(session.execute(upsert).all())
    return written


class NoSuchContact(PlancycleError):
    """``set_delivery`` named a contact that is not in the directory."""

    exit_code = 2


def set_delivery(session: Session, contact_id: int, delivery: Delivery | None) -> Contact:
    """Switch one contact to ``delivery`` (None: back to the default for its role); the
    contact. Nothing is committed: the caller owns the transaction."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NoSuchContact(
            f"no contact #{contact_id}: see `plancycle contacts list` for the numbers",
            f"ไม่มีผู้ติดต่อหมายเลข {contact_id}: ดูหมายเลขได้จาก `plancycle contacts list`",
        )
    contact.delivery = delivery.value if delivery else None
    session.add(contact)
    session.flush()
    logger.info(
        "contact #{id} {role}@{area} {channel}:{address} delivery -> {delivery}",
        id=contact_id,
        role=contact.role,
        area=contact.area_code or "TH",
        channel=contact.channel,
        address=contact.address,
        delivery=contact.delivery or "default",
    )
    return contact

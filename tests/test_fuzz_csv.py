"""Random village and contact CSV files (SQLite and PostgreSQL).

Property: an import either writes every row, or raises its import error with exactly
one problem per bad row (at that row's line) and leaves the store as it was.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from plancycle.definitions.loader import DATA_DIR, ROLES_FILE, load_roles_file
from plancycle.notifier.contacts import ContactImportError, import_contacts_csv
from plancycle.store.errors import VillageImportError
from plancycle.store.geothai_import import import_geothai
from plancycle.store.models import Area, Contact
from plancycle.store.villages import import_villages_csv
from plancycle.text import one_line
from plancycle.thai.digits import from_thai_digits, to_thai_digits
from tests.strategies import junk_text, thai_text

ROLES = sorted(load_roles_file(DATA_DIR / ROLES_FILE))
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def store(engine: sa.Engine) -> sa.Engine:
    with Session(engine) as session, session.begin():
        import_geothai(session, ["24"])
    return engine


def _tambons(db: sa.Engine) -> list[str]:
    with Session(db) as session:
        return list(session.exec(select(Area.code).where(Area.level == "tambon")).all())


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(line the csv module reports at the record's end, fields) of each record."""
    reader = csv.reader(io.StringIO(text, newline=""))
    return [(reader.line_num, fields) for fields in reader]


def _write(tmp_path: Path, name: str, header: list[str], rows: list[list[str]], bom: bool) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    (tmp_path / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return text


# --- villages ---------------------------------------------------------------------------


@st.composite
def village_files(draw, tambons: list[str]):
    """(header, rows) of a village file: good, bad, Thai-digit, blank and repeated codes."""
    good = st.builds(lambda t, n: f"{t}{n:02d}", st.sampled_from(tambons), st.integers(1, 99))
    code = st.one_of(
        good,
        good,
        good.map(to_thai_digits),
        good.map(lambda c: f" {c} "),
        st.sampled_from(tambons).map(lambda t: f"{t}00"),  # village number 00
        st.integers(0, 10**8 - 1).map(lambda n: f"{n:08d}"),  # mostly unknown tambons
        st.text(alphabet="0123456789", max_size=10),
        st.sampled_from(["", " ", "2401010", "240101011", "２４０１０１０１", "24O10101"]),
        junk_text,
    )
    name = st.one_of(st.just(""), thai_text, junk_text)
    row = st.tuples(code, name, name, st.sampled_from([[], [""], ["extra"]])).map(
        lambda t: [t[0], t[1], t[2], *t[3]]
    )
    rows = draw(st.lists(st.one_of(row, st.just(["", "", ""])), max_size=12))
    # repeat some rows (duplicates)
    rows += draw(st.lists(st.sampled_from(rows), max_size=2)) if rows else []
    columns = draw(st.sampled_from([["code", "name_th", "name_en"], ["code", "name_th"]]))
    order = draw(st.permutations(columns))
    header = [draw(st.sampled_from([c, c.upper(), f" {c} "])) for c in order]
    index = {c: i for i, c in enumerate(["code", "name_th", "name_en"])}
    laid_out = [[r[index[c]] for c in order] + r[3:] for r in rows]
    return header, laid_out


KEEP = object()  # the file has no name_en column: a village keeps its English name


def _village_oracle(
    text: str, tambons: set[str]
) -> tuple[list[tuple[int, str]], dict[str, tuple[str, object]]]:
    """By the file format's rules: (line, code as written) of every bad row, and the
    (name_th, name_en) each good row gives its village."""
    records = _records(text)
    header = [h.strip().lower() for h in records[0][1]]
    at = {name: header.index(name) for name in ("code", "name_th", "name_en") if name in header}

    def field(fields: list[str], name: str) -> str | None:
        i = at.get(name)
        return (fields[i].strip() or None) if i is not None and i < len(fields) else None

    bad: list[tuple[int, str]] = []
    good: dict[str, tuple[str, object]] = {}
    for line, fields in records[1:]:
        if not any(f.strip() for f in fields):
            continue  # blank rows are skipped
        raw = field(fields, "code") or ""
        code = from_thai_digits(raw.lstrip("\ufeff"))
        extra = any(f.strip() for f in fields[len(header) :])
        nul = any("\x00" in f for f in fields[: len(header)])  # the store cannot keep NUL
        ok = (
            not extra
            and not nul
            and code.isascii()
            and code.isdigit()
            and len(code) == 8
            and not code.endswith("00")
            and code[:6] in tambons
            and code not in good
        )
        if not ok:
            bad.append((line, raw))
            continue
        # names are kept on one line (plancycle.text.one_line)
        name_th = one_line(field(fields, "name_th") or "") or f"หมู่ที่ {int(code[6:])}"
        name_en = field(fields, "name_en")
        good[code] = (
            name_th,
            (one_line(name_en) if name_en is not None else None) if "name_en" in at else KEEP,
        )
    return bad, good


def _villages(db: sa.Engine) -> dict[str, tuple[str, str | None]]:
    with Session(db) as session:
        query = select(Area.code, Area.name_th, Area.name_en).where(Area.level == "village")
        return {code: (th, en) for code, th, en in session.exec(query).all()}


def test_village_csv_imports_whole_or_not_at_all(store: sa.Engine, tmp_path: Path) -> None:
    tambons = _tambons(store)
    outcomes = {"imported": 0, "refused": 0}

    @SETTINGS
    @given(village_files(tambons), st.booleans())
    def one(file: tuple[list[str], list[list[str]]], bom: bool) -> None:
        header, rows = file
        text = _write(tmp_path, "villages.csv", header, rows, bom)
        bad, good = _village_oracle(text, set(tambons))
        before = _villages(store)
        try:
            with Session(store) as session, session.begin():
                import_villages_csv(session, tmp_path / "villages.csv")
        except VillageImportError as exc:
            outcomes["refused"] += 1
            assert [(p.line, p.code) for p in exc.problems] == bad, exc.en
            assert _villages(store) == before
            return
        outcomes["imported"] += 1
        assert bad == []
        expected = dict(before)
        for code, (name_th, name_en) in good.items():
            kept = before.get(code, (None, None))[1]
            expected[code] = (name_th, kept if name_en is KEEP else name_en)
        assert _villages(store) == expected

    one()
    assert outcomes["imported"] and outcomes["refused"], outcomes


# --- contacts ---------------------------------------------------------------------------

GOOD_EMAILS = ["cd2401@example.go.th", "a.b-c@cdd.go.th", "x@y.co", "ชื่อ@example.go.th"]
BAD_EMAILS = ["nobody", "a@b", "a b@example.go.th", "@example.go.th", "a@-x.go.th", "a@x..th"]
GOOD_URLS = ["https://hooks.example.go.th/cd/2401", "http://127.0.0.1:8080/x", "HTTP://a.b/"]
BAD_URLS = ["ftp://x.go.th/a", "https://", "hooks.example.go.th", "http://a b.go.th/", "http://["]


@st.composite
def contact_rows(draw) -> tuple[list[str], bool]:
    """A row (area_code, role, channel, address, name) and whether it is good."""
    area_ok = st.sampled_from(["", "24", "2401", "240101", "24010101", "๒๔๐๑", " 2401 ", "99"])
    area_bad = st.one_of(
        st.sampled_from(["2", "240", "24010", "2401010101", "24a1", "²⁴", "٢٤", "-24"]),
        junk_text.filter(lambda t: not _area_ok(t)),
    )
    area_good = draw(st.booleans())
    area = draw(area_ok if area_good else area_bad)
    role_good = draw(st.booleans())
    role = draw(
        st.sampled_from(ROLES) if role_good else junk_text.filter(lambda r: r.strip() not in ROLES)
    )
    channel = draw(st.sampled_from(["log", "email", "webhook", "LOG", " Email ", "sms", ""]))
    kind = channel.strip().lower()
    address_good = draw(st.booleans())
    if kind == "email":
        address = draw(st.sampled_from(GOOD_EMAILS if address_good else BAD_EMAILS))
    elif kind == "webhook":
        address = draw(st.sampled_from(GOOD_URLS if address_good else BAD_URLS))
    elif address_good:
        address = draw(st.one_of(thai_text, junk_text).filter(lambda a: a.strip() != ""))
    else:
        address = draw(st.sampled_from(["", "  "]))
    name = draw(st.one_of(st.just(""), thai_text, junk_text))
    good = area_good and role_good and kind in ("log", "email", "webhook") and address_good
    return [area, role, channel, address, name], good


def _area_ok(text: str) -> bool:
    code = from_thai_digits(text.strip())
    return code.isascii() and (code == "" or code.isdigit()) and len(code) in (0, 2, 4, 6, 8)


@st.composite
def contact_files(draw):
    """(header, rows, expected bad line numbers known by construction)."""
    drawn = draw(st.lists(contact_rows(), max_size=10))
    drawn += draw(st.lists(st.sampled_from(drawn), max_size=2)) if drawn else []
    with_name = draw(st.booleans())
    rows, goods = [], []
    for fields, good in drawn:
        shape = draw(st.sampled_from(["as is", "as is", "as is", "short", "long"]))
        fields = fields if with_name else fields[:4]
        if shape == "short":
            fields, good = fields[:3], False
        elif shape == "long":
            fields, good = [*fields, "x"], False
        elif with_name and fields[4] == "" and draw(st.booleans()):
            fields = fields[:4]  # an empty trailing name may be left out
        if any("\x00" in f for f in fields):
            good = False  # the store cannot keep NUL
        rows.append(fields)
        goods.append(good)
    header = ["area_code", "role", "channel", "address", *(["name"] if with_name else [])]
    return header, rows, goods


def _contact_key(fields: list[str]) -> tuple[str, ...]:
    area, role, channel, address = (f.strip() for f in fields[:4])
    return from_thai_digits(area), role, channel.lower(), address


def _contacts(db: sa.Engine) -> dict[tuple[str, ...], str]:
    with Session(db) as session:
        rows = session.exec(select(Contact)).all()
        return {(c.area_code, c.role, c.channel, c.address): c.name for c in rows}


def test_contacts_csv_imports_whole_or_not_at_all(store: sa.Engine, tmp_path: Path) -> None:
    outcomes = {"imported": 0, "refused": 0}

    @SETTINGS
    @given(contact_files(), st.booleans())
    def one(file, bom: bool) -> None:
        header, rows, goods = file
        text = _write(tmp_path, "contacts.csv", header, rows, bom)
        records = [
            (line, fields, good)
            for (line, fields), good in zip(_records(text)[1:], goods, strict=True)
            if any(f.strip() for f in fields)  # blank rows are skipped
        ]
        bad, seen = [], set()
        for line, fields, good in records:
            key = _contact_key(fields) if good else None
            if not good or key in seen:
                bad.append(line)
            seen.add(key)
        before = _contacts(store)
        try:
            with Session(store) as session, session.begin():
                import_contacts_csv(session, tmp_path / "contacts.csv", ROLES)
        except ContactImportError as exc:
            outcomes["refused"] += 1
            assert [p.line for p in exc.problems] == bad, exc.en
            assert _contacts(store) == before
            return
        outcomes["imported"] += 1
        assert bad == []
        expected = dict(before)
        for _, fields, _ in records:
            expected[_contact_key(fields)] = fields[4].strip() if len(fields) > 4 else ""
        assert _contacts(store) == expected

    one()
    assert outcomes["imported"] and outcomes["refused"], outcomes


# --- bugs found by the random run, pinned ------------------------------------------------


@pytest.mark.parametrize("which", ["villages", "contacts"])
def test_nul_in_a_village_name_or_contact_is_a_row_problem(
    pg_engine: sa.Engine, tmp_path: Path, which: str
) -> None:
    with Session(pg_engine) as session, session.begin():
        import_geothai(session, ["24"])
    if which == "villages":
        _write(tmp_path, "f.csv", ["code", "name_th"], [["24010101", "หมู่\x00ที่ 1"]], False)
        load, error = (lambda s, p: import_villages_csv(s, p)), VillageImportError
    else:
        header = ["area_code", "role", "channel", "address", "name"]
        _write(tmp_path, "f.csv", header, [["2401", "cdd", "log", "a\x00b", "x"]], False)
        load, error = (lambda s, p: import_contacts_csv(s, p, ROLES)), ContactImportError
    with pytest.raises(error), Session(pg_engine) as session, session.begin():
        load(session, tmp_path / "f.csv")

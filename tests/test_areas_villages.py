"""Villages: CSV import (all rows checked before anything is written), sample and
synthetic villages, and CSV export, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.store.area_rows import ImportCounts
from plancycle.store.areas import area_counts, get_area
from plancycle.store.db import make_engine
from plancycle.store.errors import AreaError, RowProblem, VillageImportError
from plancycle.store.geothai_import import import_geothai
from plancycle.store.models import Area
from plancycle.store.villages import (
    generate_sample_villages,
    import_villages_csv,
    synthetic_national_villages,
    write_villages_csv,
)

GOOD = """code,name_th,name_en
24010101,บ้านหน้าเมือง,Ban Na Mueang
๒๔๐๑๐๑๐๒,บ้านเลขไทย,
24010103,,,
"""

BAD = """code,name_th,name_en
24010104,บ้านดี,Good
2401010,บ้านสั้น,
2401010x,บ้านอักษร,
99990101,บ้านไม่มีตำบล,
24010100,บ้านศูนย์,
24010104,ซ้ำ,

,ไม่มีรหัส,
24010105,บ้าน,หนึ่ง,สอง
๒๔๐๑๐๑๐๖,บ้านเลขไทย,
"""


def _csv(tmp_path: Path, text: str, name: str = "villages.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


@pytest.fixture
def store(session: Session) -> Session:
    """Province 24 loaded from geothai."""
    import_geothai(session, ["24"])
    session.commit()
    return session


def _villages(session: Session) -> dict[str, tuple[str, str | None, bool, str]]:
    rows = session.exec(select(Area).where(Area.level == "village")).all()
    return {a.code: (a.name_th, a.name_en, a.is_sample, a.source) for a in rows}


@pytest.mark.parametrize("bom", [True, False])
def test_good_file(store: Session, tmp_path: Path, bom: bool) -> None:
    counts = import_villages_csv(store, _csv(tmp_path, GOOD, bom=bom))
    store.commit()
    assert (counts.villages, counts.updated) == (3, 0)
    assert _villages(store) == {
        "24010101": ("บ้านหน้าเมือง", "Ban Na Mueang", False, "file:villages.csv"),
        "24010102": ("บ้านเลขไทย", None, False, "file:villages.csv"),
        "24010103": ("หมู่ที่ 3", None, False, "file:villages.csv"),
    }
    village = get_area(store, "24010102")
    assert village is not None
    assert (village.level, village.parent_code, village.province_code) == (
        "village",
        "240101",
        "24",
    )


def test_reimport_updates_names_only(store: Session, tmp_path: Path) -> None:
    import_villages_csv(store, _csv(tmp_path, GOOD))
    store.commit()
    assert import_villages_csv(store, _csv(tmp_path, GOOD)) == ImportCounts()
    renamed = GOOD.replace("บ้านเลขไทย", "บ้านใหม่")
    counts = import_villages_csv(store, _csv(tmp_path, renamed))
    store.commit()
    assert (counts.villages, counts.updated) == (0, 1)
    store.expire_all()
    assert _villages(store)["24010102"][0] == "บ้านใหม่"


def test_file_without_english_names_keeps_them(store: Session, tmp_path: Path) -> None:
    import_villages_csv(store, _csv(tmp_path, GOOD))
    counts = import_villages_csv(store, _csv(tmp_path, "code,name_th\n24010101,บ้านใหม่\n"))
    store.commit()
    assert (counts.villages, counts.updated) == (0, 1)
    store.expire_all()
    assert _villages(store)["24010101"][:2] == ("บ้านใหม่", "Ban Na Mueang")


def test_bad_rows_are_all_reported_and_nothing_written(store: Session, tmp_path: Path) -> None:
    import_villages_csv(store, _csv(tmp_path, "code,name_th\n24010101,เดิม\n", "old.csv"))
    store.commit()
    before = _villages(store)
    with pytest.raises(VillageImportError) as info:
        import_villages_csv(store, _csv(tmp_path, BAD))
    store.rollback()
    assert [(p.line, p.code, p.message) for p in info.value.problems] == [
        (
            3,
            "2401010",
            "code '2401010' has 7 digits; a village code has 8 "
            "(6-digit tambon code + 2-digit village number)",
        ),
        (4, "2401010x", "code '2401010x' must contain digits only"),
        (
            5,
            "99990101",
            "tambon 999901 of village 99990101 is not in the store; import its "
            "province from geothai first",
        ),
        (6, "24010100", "village number 00 in 24010100 is not valid; use 01-99"),
        (7, "24010104", "code 24010104 is repeated; first on line 2"),
        (9, "", "code is empty"),
        (
            10,
            "24010105",
            "4 fields but the header has 3; put names that contain commas in double quotes",
        ),
    ]
    assert all(p.message_th for p in info.value.problems)
    assert "villages.csv: 7 bad rows; nothing was imported" in info.value.en
    assert "line 5: tambon 999901" in info.value.en
    assert "บรรทัด 5: ไม่พบตำบล 999901" in info.value.th
    assert _villages(store) == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "code,name\n24010101,x\n",
            RowProblem(
                1,
                "",
                "missing header column(s) name_th; the first line must be code,name_th[,name_en]",
            ),
        ),
        (
            "24010101,บ้าน\n",
            RowProblem(
                1,
                "",
                "missing header column(s) code, name_th; the "
                "first line must be code,name_th[,name_en]",
            ),
        ),
        (
            "\n\n",
            RowProblem(1, "", "the file is empty; the first line must be code,name_th[,name_en]"),
        ),
    ],
)
def test_bad_header(store: Session, tmp_path: Path, text: str, problem: RowProblem) -> None:
    with pytest.raises(VillageImportError) as info:
        import_villages_csv(store, _csv(tmp_path, text))
    assert info.value.problems == [problem]


def test_not_utf8(store: Session, tmp_path: Path) -> None:
    path = tmp_path / "tis620.csv"
    path.write_bytes("code,name_th\n24010101,บ้าน\n".encode("tis-620"))
    with pytest.raises(VillageImportError) as info:
        import_villages_csv(store, path)
    assert info.value.problems[0].line == 2
    assert "not UTF-8" in info.value.problems[0].message
    assert area_counts(store)["village"] == 0


def test_sample_flag(store: Session, tmp_path: Path) -> None:
    import_villages_csv(store, _csv(tmp_path, GOOD), is_sample=True)
    assert {v[2] for v in _villages(store).values()} == {True}


# ------------------------------------------------------------ sample villages


def _sample_counts(session: Session) -> dict[str, int]:
    query = (
        select(Area.parent_code, func.count())
        .where(Area.level == "village")
        .group_by(col(Area.parent_code))
    )
    return {parent: n for parent, n in session.exec(query).all()}


def test_sample_villages(store: Session) -> None:
    counts = generate_sample_villages(store, "24")
    store.commit()
    per_tambon = _sample_counts(store)
    assert len(per_tambon) == 93
    assert all(4 <= n <= 16 for n in per_tambon.values())
    assert len(set(per_tambon.values())) > 3  # not one fixed number
    assert counts.villages == sum(per_tambon.values())
    villages = _villages(store)
    n = per_tambon["240101"]
    assert villages[f"240101{n:02d}"] == (f"หมู่ที่ {n}", f"Village {n}", True, "sample")
    assert f"240101{n + 1:02d}" not in villages
    assert generate_sample_villages(store, "24") == ImportCounts()


def test_sample_villages_are_deterministic(store: Session, chachoengsao_db: Path) -> None:
    """The same seed gives the same villages on another store (the SQLite template)."""
    generate_sample_villages(store, "24", seed=2568)
    store.commit()
    other = make_engine(f"sqlite:///{chachoengsao_db}")
    try:
        with Session(other) as s:
            assert _villages(s) == _villages(store)
    finally:
        other.dispose()


def test_another_seed_gives_other_villages(store: Session, sqlite_engine: sa.Engine) -> None:
    generate_sample_villages(store, "24", seed=2568)
    with Session(sqlite_engine) as s:
        import_geothai(s, ["24"])
        generate_sample_villages(s, "24", seed=1)
        assert _sample_counts(s) != _sample_counts(store)


def test_sample_keeps_imported_villages(store: Session, tmp_path: Path) -> None:
    import_villages_csv(store, _csv(tmp_path, GOOD))
    counts = generate_sample_villages(store, "24")
    assert counts.updated == 0
    assert _villages(store)["24010101"] == (
        "บ้านหน้าเมือง",
        "Ban Na Mueang",
        False,
        "file:villages.csv",
    )


def test_sample_needs_tambons(session: Session) -> None:
    with pytest.raises(AreaError, match="No tambons of province 24"):
        generate_sample_villages(session, "24")


def test_export_and_reimport(chachoengsao_db: Path, store: Session, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    template = make_engine(f"sqlite:///{chachoengsao_db}")
    try:
        with Session(template) as s:
            written = write_villages_csv(s, path, province="24")
            expected = {code: v[:2] for code, v in _villages(s).items()}
    finally:
        template.dispose()
    assert written == len(expected) > 0
    assert path.read_bytes().startswith(b"\xef\xbb\xbfcode,name_th,name_en\r\n")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["name_th"] = "บ้านแก้ไข"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, ["code", "name_th", "name_en"])
        writer.writeheader()
        writer.writerows(rows)
    counts = import_villages_csv(store, path)
    assert counts.villages == written
    got = {code: v[:2] for code, v in _villages(store).items()}
    assert got == {**expected, rows[0]["code"]: ("บ้านแก้ไข", expected[rows[0]["code"]][1])}


# ------------------------------------------------------------ synthetic national villages


def test_synthetic_national_villages(session: Session) -> None:
    import_geothai(session)
    calls: list[tuple[int, int]] = []
    counts = synthetic_national_villages(
        session, total=20_000, seed=7, progress=lambda d, t: calls.append((d, t))
    )
    session.commit()
    assert counts.villages == 20_000
    assert calls[-1] == (20_000, 20_000)
    per_tambon = _sample_counts(session)
    assert sum(per_tambon.values()) == 20_000
    assert max(per_tambon.values()) <= 99
    assert len(set(per_tambon.values())) > 1
    assert synthetic_national_villages(session, total=20_000, seed=7) == ImportCounts()


def test_synthetic_full_size(sqlite_engine: sa.Engine) -> None:
    with Session(sqlite_engine) as s:
        import_geothai(s)
        assert synthetic_national_villages(s).villages == 75_000
        s.commit()
        assert area_counts(s)["village"] == 75_000


def test_synthetic_bounds(store: Session) -> None:
    with pytest.raises(AreaError, match="out of range: 0 to 9,207"):
        synthetic_national_villages(store, total=10_000)

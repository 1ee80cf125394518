"""Contacts: the CSV import (checked whole before any write, idempotent) and the book."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from plancycle.notifier.contacts import (
    ContactBook,
    ContactImportError,
    import_contacts_csv,
)
from plancycle.store.models import Contact

ROLES = {"district_cd_office", "district_chief", "provincial_cd_office", "cdd"}

GOOD = """area_code,role,channel,address,name
๒๔๐๑,district_cd_office,email,cd2401@example.go.th,พช.อำเภอเมืองฉะเชิงเทรา
2401,district_cd_office,webhook,https://hooks.example.go.th/cd/2401,
2401,district_chief,log,district_chief@2401,นายอำเภอ
24,provincial_cd_office,email,cd24@example.go.th,
,cdd,email,cdd@example.go.th,กรมการพัฒนาชุมชน
"""


def write(tmp_path: Path, text: str, *, bom: bool = False, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Contact)).one()


def test_import_good_file_with_bom_and_thai_digits(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, bom=True)
    assert import_contacts_csv(session, path, ROLES) == 5
    session.commit()
    book = ContactBook.load(session)
    assert book.lookup("district_cd_office", "2401") == [
        ("email", "cd2401@example.go.th"),
        ("webhook", "https://hooks.example.go.th/cd/2401"),
    ]
    assert book.lookup("district_chief", "2401") == [("log", "district_chief@2401")]
    assert book.lookup("cdd", "") == [("email", "cdd@example.go.th")]
    names = dict(session.exec(select(Contact.address, Contact.name)).all())
    assert names["cd2401@example.go.th"] == "พช.อำเภอเมืองฉะเชิงเทรา"
    assert names["https://hooks.example.go.th/cd/2401"] == ""


def test_lookup_is_exact_on_role_and_area(session: Session, tmp_path: Path) -> None:
    import_contacts_csv(session, write(tmp_path, GOOD), ROLES)
    session.commit()
    book = ContactBook.load(session)
    assert len(book) == 5
    assert book.lookup("district_cd_office", "240101") == []  # not cut to the district
    assert book.lookup("district_cd_office", "24") == []  # no walking up either
    assert book.lookup("provincial_cd_office", "2401") == []
    assert book.lookup("cdd", "24") == []
    assert book.lookup("kbt", "2401") == []


def test_reimport_does_not_duplicate_and_updates_names(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert import_contacts_csv(session, path, ROLES) == 5
    session.commit()
    assert import_contacts_csv(session, path, ROLES) == 0
    session.commit()
    assert count(session) == 5
    renamed = GOOD.replace(",กรมการพัฒนาชุมชน", ",กรมการพัฒนาชุมชน (CDD)")
    assert import_contacts_csv(session, write(tmp_path, renamed, name="b.csv"), ROLES) == 1
    session.commit()
    assert count(session) == 5
    cdd = session.exec(select(Contact).where(Contact.role == "cdd")).one()
    assert cdd.name == "กรมการพัฒนาชุมชน (CDD)"


def test_name_column_is_optional(session: Session, tmp_path: Path) -> None:
    text = "area_code,role,channel,address\n2401,district_chief,email,nai@example.go.th\n"
    assert import_contacts_csv(session, write(tmp_path, text), ROLES) == 1
    # with a name column, a row may leave out its empty trailing name
    text = "area_code,role,channel,address,name\n24,provincial_cd_office,log,p24\n"
    assert import_contacts_csv(session, write(tmp_path, text, name="b.csv"), ROLES) == 1
    session.commit()
    assert session.exec(select(Contact.name)).all() == ["", ""]


BAD = """area_code,role,channel,address,name
2401,district_cd_office,email,ok@example.go.th,fine row
240,district_cd_office,email,a@example.go.th,
2401,sheriff,email,b@example.go.th,
2401,district_chief,sms,0812345678,
2401,district_chief,email,not-an-address,
2401,district_chief,webhook,ftp://example.go.th/hook,
๒๔๐๑,district_cd_office,email,ok@example.go.th,same as line 2
24x1,sheriff,email,also bad,
2401,district_chief
2401,district_chief,log,district_chief@2401
,cdd,email,cdd@example.go.th,fine too
"""


def test_bad_file_lists_every_problem_and_writes_nothing(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ContactImportError) as caught:
        import_contacts_csv(session, write(tmp_path, BAD), ROLES)
    problems = {p.line: p for p in caught.value.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9, 10]  # lines 2, 11 and 12 are good
    assert "area code '240'" in problems[3].en and "รหัสพื้นที่" in problems[3].th
    assert "unknown role 'sheriff'" in problems[4].en and "ไม่รู้จักบทบาท" in problems[4].th
    assert "unknown channel 'sms'" in problems[5].en and "ช่องทาง" in problems[5].th
    assert "not an e-mail address" in problems[6].en and "อีเมล" in problems[6].th
    assert "not an http:// or https:// URL" in problems[7].en
    assert "repeats line 2" in problems[8].en and "ซ้ำกับบรรทัด 2" in problems[8].th
    # one problem per bad row, naming all that is wrong with it
    assert "area code '24x1'" in problems[9].en and "unknown role 'sheriff'" in problems[9].en
    assert "has 2 fields, the header has 5" in problems[10].en
    message = caught.value.message("en")
    assert "8 problems; nothing was imported" in message and "line 7:" in message
    assert "บรรทัด 7:" in caught.value.message("th")
    assert caught.value.exit_code == 2
    session.rollback()
    assert count(session) == 0


def test_bad_header_is_refused(session: Session, tmp_path: Path) -> None:
    text = "area,role,channel,address\n2401,district_chief,log,x\n"
    with pytest.raises(ContactImportError, match="header must be") as caught:
        import_contacts_csv(session, write(tmp_path, text), ROLES)
    assert caught.value.problems[0].line == 1
    assert "หัวตาราง" in caught.value.th
    assert count(session) == 0


def test_not_utf8_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "tis620.csv"
    path.write_bytes(
        "area_code,role,channel,address,name\n2401,district_chief,log,x,นายอำเภอ\n".encode("cp874")
    )
    with pytest.raises(ContactImportError, match="not UTF-8") as caught:
        import_contacts_csv(session, path, ROLES)
    assert "UTF-8" in caught.value.th
    assert count(session) == 0


def test_missing_file_is_a_contact_import_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ContactImportError, match="cannot read the file"):
        import_contacts_csv(session, tmp_path / "missing.csv", ROLES)


def test_the_delivery_column_is_optional_and_checked(session: Session, tmp_path: Path) -> None:
    from plancycle.kinds import Delivery
    from plancycle.notifier.contacts import ContactBook, ContactImportError

    text = (
        "area_code,role,channel,address,name,delivery\n"
        "2401,district_cd_office,email,a@x.th,,immediate\n"
        "2402,district_cd_office,email,b@x.th\n"
        ",cdd,email,cdd@x.th,CDD,\n"
        ",cdd,email,cdd2@x.th,CDD,digest\n"
    )
    assert import_contacts_csv(session, write(tmp_path, text), ROLES) == 4
    session.commit()
    book = ContactBook.load(session)
    assert book.delivery("district_cd_office", "2401", "email", "a@x.th") == Delivery.IMMEDIATE
    assert book.delivery("district_cd_office", "2402", "email", "b@x.th") == Delivery.DIGEST
    assert book.delivery("cdd", "", "email", "cdd@x.th") == Delivery.IMMEDIATE
    assert book.delivery("cdd", "", "email", "cdd2@x.th") == Delivery.DIGEST
    # switching one back to the default through the file updates it in place
    again = text.replace("a@x.th,,immediate", "a@x.th,,")
    assert import_contacts_csv(session, write(tmp_path, again, name="again.csv"), ROLES) == 1
    bad = write(
        tmp_path, "area_code,role,channel,address,delivery\n2401,cdd,log,x,weekly\n", name="b.csv"
    )
    with pytest.raises(ContactImportError) as caught:
        import_contacts_csv(session, bad, ROLES)
    assert "unknown delivery 'weekly'" in str(caught.value)
    assert "ไม่รู้จักวิธีแจ้ง 'weekly'" in caught.value.th

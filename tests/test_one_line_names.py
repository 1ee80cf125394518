"""A name typed with a line break cannot break an e-mail: names are kept on one line where
they enter the store, subjects are one line, and a message queued before that is still
built (its header folded safely) instead of going dead."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.notifier.channels import EmailChannel, SmtpSettings
from plancycle.notifier.messages import render
from plancycle.store.areas import get_area
from plancycle.store.geothai_import import import_geothai
from plancycle.store.villages import import_villages_csv
from plancycle.text import one_line
from tests.test_notifier_delivery import outbox_message
from tests.test_notifier_messages import make_notice


def test_one_line_folds_every_run_of_white_space() -> None:
    assert one_line(" หน้า\r\nเมือง\t(ใหม่) ") == "หน้า เมือง (ใหม่)"


def test_a_village_name_with_a_line_break_is_stored_on_one_line(
    sqlite_engine: sa.Engine, tmp_path: Path
) -> None:
    csv_file = tmp_path / "villages.csv"
    csv_file.write_text(
        'code,name_th,name_en\n24010101,"บ้าน\nหน้าเมือง","Ban\r\nNa Mueang"\n', "utf-8"
    )
    with Session(sqlite_engine) as session, session.begin():
        import_geothai(session, ["24"])
        import_villages_csv(session, csv_file)
    with Session(sqlite_engine) as session:
        village = get_area(session, "24010101")
        assert village is not None
        assert (village.name_th, village.name_en) == ("บ้าน หน้าเมือง", "Ban Na Mueang")


def test_a_subject_is_one_line_whatever_the_names() -> None:
    subject, _ = render(make_notice(area_name_th="หน้า\nเมือง", area_name_en="Na\r\nMueang"))
    assert "\n" not in subject and "\r" not in subject and "หน้า เมือง" in subject


def test_a_queued_message_with_a_broken_subject_is_still_built() -> None:
    message = outbox_message("email", "x@example.go.th")
    message.subject = "[plancycle] ตำบล\nหน้าเมือง\r\nBcc: someone@example.com"
    mail = EmailChannel(SmtpSettings(host="127.0.0.1", sender="p@cdd.go.th")).build(message)
    assert mail["Bcc"] is None
    assert "\n" not in str(mail["Subject"]) and "Bcc: someone" in str(mail["Subject"])

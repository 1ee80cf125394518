"""How the command line names the inputs an error points at: ``--data participants=N``,
``--evidence attendance=FILE``."""

from __future__ import annotations

from plancycle.errors import InputKind, InputRef

__all__ = ["CLI_WORDING", "SHEET_WORDING", "CliWording", "SheetWording"]

_PLACEHOLDER = {  # a data field's type -> what to write after NAME= (English, Thai)
    "int": ("N", "จำนวน"),
    "date": ("DATE", "วันที่"),
    "list": ("A,B", "ก,ข"),
    "bool": ("yes|no", "ใช่|ไม่"),
    # rows: one per ';', cells between '|' (plancycle.definitions.rows)
    "budget_lines": (
        "'ITEM | BAHT | CLASS | yes/no; ...'",
        "'รายการ | บาท | ประเภทงบ | ใช่/ไม่; ...'",
    ),
    "district_attendance": (
        "'DISTRICT | CHAIRS | MEMBERS | OFFICERS; ...'",
        "'รหัสอำเภอ | ประธาน | กรรมการ | เจ้าหน้าที่; ...'",
    ),
}


class CliWording:
    #: refusals that name no input add the option to give (``NotExtendable``)
    options = True

    def name(self, ref: InputRef) -> tuple[str, str]:
        if ref.kind is InputKind.EVIDENCE:
            return f"--evidence {ref.name}=FILE", f"--evidence {ref.name}=ไฟล์"
        en, th = _PLACEHOLDER.get(ref.type, ("VALUE", "ค่า"))
        return f"--data {ref.name}={en}", f"--data {ref.name}={th}"


CLI_WORDING = CliWording()


class SheetWording:
    """Inputs of a batch sheet (``advance-many``) are its columns."""

    def name(self, ref: InputRef) -> tuple[str, str]:
        column = f"evidence.{ref.name}" if ref.kind is InputKind.EVIDENCE else ref.name
        return f"column “{column}”", f"คอลัมน์ “{column}”"


SHEET_WORDING = SheetWording()

"""Text the store cannot keep is refused with a message naming where it was."""

from __future__ import annotations

import pytest

from plancycle.text import BadText, check_text


def test_fine_text_passes_in_every_shape() -> None:
    check_text(key="2568/activity2/240101", note=None, data={"ผู้เข้าร่วม": ["๒๕", 3, {"a": "ข"}]})


@pytest.mark.parametrize(
    ("fields", "named_en", "named_th"),
    [
        ({"note": "ok\x00"}, "note 'ok\\x00' contains a NUL", "บันทึก 'ok\\x00' มีอักขระ NUL"),
        (
            {"data": {"spent": ["1", "\udcff"]}},
            "data spent '\\udcff' is not valid UTF-8",
            "ข้อมูล spent",
        ),
        ({"data": {"x\x00": "1"}}, "data name 'x\\x00'", "ชื่อข้อมูล 'x\\x00'"),
        ({"data": {"a": {"b": "\x00"}}}, "data a b '\\x00'", "ข้อมูล a b"),
    ],
)
def test_bad_text_is_named_where_it_was(fields: dict, named_en: str, named_th: str) -> None:
    with pytest.raises(BadText) as caught:
        check_text(key="k", **fields)
    assert named_en in caught.value.en
    assert named_th in caught.value.th
    assert caught.value.exit_code == 2


def test_a_token_is_named_but_never_quoted() -> None:
    with pytest.raises(BadText) as caught:
        check_text(token="secret\x00")
    assert "secret" not in caught.value.en and "secret" not in caught.value.th

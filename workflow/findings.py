"""What `audit verify` and `audit replay` find, and its one wording in Thai and English.

A :class:`Finding` holds a :class:`FindingKind` and the figures it names (``params``);
:func:`wording` turns them into the English and the Thai line, so the two cannot drift
apart. The kind is the stable field for machines (``--json``); the texts are for people.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["ANCHOR_FINDING_KEY", "Finding", "FindingKind", "wording"]

ANCHOR_FINDING_KEY = "anchor"  # the key the anchor file's own findings are reported under


class FindingKind(StrEnum):
    """Every kind of problem the audit checks name."""

    # a chain (audit verify)
    RECORDS_DELETED = "records_deleted"  # a gap in the sequence before this record
    SEQ_REPEATED = "seq_repeated"  # a second record with the same seq
    RELINKED = "relinked"  # it does not link to the record before it
    EDITED = "edited"  # its content no longer matches its hash
    HEAD_GONE = "head_gone"  # the newest records deleted, or the head edited
    RECORD_COUNT = "record_count"  # the instance's counter disagrees with its chain
    # evidence files
    EVIDENCE_MISSING = "evidence_missing"
    EVIDENCE_REPLACED = "evidence_replaced"
    # instances against cycle start's counts
    INSTANCES_DELETED = "instances_deleted"
    INSTANCES_ADDED = "instances_added"
    # against an anchor
    REWRITTEN = "rewritten"
    DELETED_SINCE_ANCHOR = "deleted_since_anchor"
    # the anchor file itself
    ANCHOR_EDITED = "anchor_edited"
    ANCHOR_NOT_KEPT = "anchor_not_kept"
    ANCHOR_UNSIGNED = "anchor_unsigned"
    ANCHOR_SIGNATURE = "anchor_signature"
    # a replay (audit replay)
    REPLAY_FROM = "replay_from"  # a record starts from another state than the replay's
    REPLAY_LEADS = "replay_leads"  # a trigger leads elsewhere than the record says
    REPLAY_STATE = "replay_state"  # the stored state is not where the records lead
    REPLAY_NO_STATE = "replay_no_state"  # a send-back record returns to no state of its version


def _records_deleted(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"record(s) with seq {p['first']}-{p['last']} were deleted before this one",
        f"บันทึกลำดับที่ {p['first']}-{p['last']} ถูกลบไปก่อนบันทึกนี้",
    )


def _record_count(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"the instance says {p['said']} record(s), the chain holds {p['held']}",
        f"รายการระบุว่ามีบันทึก {p['said']} รายการ แต่สายบันทึกมี {p['held']} รายการ",
    )


def _evidence_missing(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"evidence file {p['sha256']} is missing from {p['folder']}",
        f"ไม่พบไฟล์หลักฐาน {p['sha256']} ในโฟลเดอร์ {p['folder']}",
    )


def _evidence_replaced(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"evidence file {p['sha256']} was replaced (its content hashes to {p['found']}…)",
        f"ไฟล์หลักฐาน {p['sha256']} ถูกแทนที่ (ค่าแฮชของเนื้อหาเป็น {p['found']}…)",
    )


def _instances_deleted(p: Mapping[str, Any]) -> tuple[str, str]:
    created, now = p["created"], p["now"]
    return (
        f"cycle start created {created:,} instance(s), the store holds {now:,}: "
        f"{created - now:,} deleted (an anchor names which)",
        f"การเริ่มรอบสร้างรายการไว้ {created:,} รายการ ฐานข้อมูลมี {now:,}: "
        f"ถูกลบ {created - now:,} รายการ (ไฟล์หลักยึดบอกได้ว่ารายการใด)",
    )


def _instances_added(p: Mapping[str, Any]) -> tuple[str, str]:
    created, now = p["created"], p["now"]
    return (
        f"cycle start created {created:,} instance(s), the store holds {now:,}: "
        f"{now - created:,} added outside cycle start",
        f"การเริ่มรอบสร้างรายการไว้ {created:,} รายการ ฐานข้อมูลมี {now:,}: "
        f"มี {now - created:,} รายการที่เพิ่มโดยไม่ผ่านการเริ่มรอบ",
    )


def _rewritten(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"the history up to seq {p['seq']} differs from the anchor: it was "
        f"rewritten after the anchor was taken",
        f"ประวัติถึงลำดับที่ {p['seq']} ไม่ตรงกับไฟล์หลักยึด: ถูกเขียนใหม่หลังจากทำหลักยึดแล้ว",
    )


def _anchor_edited(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"the anchor's heads hash to {p['computed']}, but the file says {p['said']}: "
        f"the anchor file was edited",
        f"ค่าสรุปของหัวสายในไฟล์หลักยึดคือ {p['computed']} แต่ไฟล์ระบุว่า {p['said']}: ไฟล์หลักยึดถูกแก้ไข",
    )


def _anchor_not_kept(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"the anchor's heads hash to {p['computed']}, not to the digest kept elsewhere "
        f"({p['kept']}): this is not the anchor that was taken, or it was edited",
        f"ค่าสรุปของหัวสายในไฟล์หลักยึดคือ {p['computed']} ไม่ตรงกับค่าสรุปที่เก็บไว้ที่อื่น "
        f"({p['kept']}): ไม่ใช่ไฟล์หลักยึดที่ทำไว้ หรือถูกแก้ไข",
    )


def _state_th(p: Mapping[str, Any], state: str | None) -> str:
    """A state as a Thai reader sees it: its label, and the code in brackets."""
    if state is None:
        return "ไม่มีขั้นใด"
    label = p.get("labels", {}).get(state, state)
    return f"“{label}” [{state}]" if label != state else f"[{state}]"


def _replay_from(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"record seq {p['seq']} starts from {p['recorded']!r}, the replay is at {p['state']!r}",
        f"บันทึกลำดับที่ {p['seq']} เริ่มจากขั้น {_state_th(p, p['recorded'])} "
        f"แต่การเล่นซ้ำอยู่ที่ขั้น {_state_th(p, p['state'])}",
    )


def _replay_leads(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"record seq {p['seq']}: {p['trigger']!r} from {p['state']!r} leads to {p['dest']!r}, "
        f"the record says {p['recorded']!r}",
        f"บันทึกลำดับที่ {p['seq']}: [{p['trigger']}] จากขั้น {_state_th(p, p['state'])} "
        f"ไปที่ {_state_th(p, p['dest'])} แต่บันทึกระบุ {_state_th(p, p['recorded'])}",
    )


def _replay_state(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"stored state {p['stored']!r} (v{p['stored_version']}) but the records give "
        f"{p['state']!r} (v{p['version']})",
        f"ขั้นที่บันทึกไว้คือ {_state_th(p, p['stored'])} (รุ่น {p['stored_version']}) "
        f"แต่บันทึกนำไปสู่ {_state_th(p, p['state'])} (รุ่น {p['version']})",
    )


def _replay_no_state(p: Mapping[str, Any]) -> tuple[str, str]:
    return (
        f"record seq {p['seq']}: sent back to {p['recorded']!r}, no state of v{p['version']}",
        f"บันทึกลำดับที่ {p['seq']}: ส่งกลับไปที่ [{p['recorded']}] ซึ่งไม่มีในรุ่น {p['version']}",
    )


def _fixed(en: str, th: str) -> Callable[[Mapping[str, Any]], tuple[str, str]]:
    return lambda _: (en, th)


_WORDING: dict[FindingKind, Callable[[Mapping[str, Any]], tuple[str, str]]] = {
    FindingKind.RECORDS_DELETED: _records_deleted,
    FindingKind.SEQ_REPEATED: _fixed(
        "inserted: a second record with this seq",
        "ถูกแทรก: มีบันทึกลำดับนี้ซ้ำเป็นรายการที่สอง",
    ),
    FindingKind.RELINKED: _fixed(
        "inserted or re-linked: it does not link to the record before it",
        "ถูกแทรกหรือต่อสายใหม่: ไม่เชื่อมกับบันทึกก่อนหน้า",
    ),
    FindingKind.EDITED: _fixed(
        "edited: its content no longer matches its hash",
        "ถูกแก้ไข: เนื้อหาไม่ตรงกับค่าแฮชของบันทึก",
    ),
    FindingKind.HEAD_GONE: _fixed(
        "the newest record(s) were deleted, or the chain head was edited",
        "บันทึกล่าสุดถูกลบ หรือหัวสายบันทึกถูกแก้ไข",
    ),
    FindingKind.RECORD_COUNT: _record_count,
    FindingKind.EVIDENCE_MISSING: _evidence_missing,
    FindingKind.EVIDENCE_REPLACED: _evidence_replaced,
    FindingKind.INSTANCES_DELETED: _instances_deleted,
    FindingKind.INSTANCES_ADDED: _instances_added,
    FindingKind.REWRITTEN: _rewritten,
    FindingKind.DELETED_SINCE_ANCHOR: _fixed(
        "the instance was deleted after the anchor was taken",
        "รายการถูกลบหลังจากทำหลักยึดแล้ว",
    ),
    FindingKind.ANCHOR_EDITED: _anchor_edited,
    FindingKind.ANCHOR_NOT_KEPT: _anchor_not_kept,
    FindingKind.ANCHOR_UNSIGNED: _fixed(
        "the anchor is not signed (with Ed25519): take it with `audit anchor --sign-key`",
        "ไฟล์หลักยึดไม่ได้ลงนาม (ด้วย Ed25519): ทำใหม่ด้วย `audit anchor --sign-key`",
    ),
    FindingKind.ANCHOR_SIGNATURE: _fixed(
        "the anchor's signature does not verify with this public key: it was signed "
        "with another key, or edited after it was signed",
        "ลายมือชื่อของไฟล์หลักยึดตรวจด้วยกุญแจสาธารณะนี้ไม่ผ่าน: ลงนามด้วยกุญแจอื่น หรือถูกแก้ไขหลังลงนาม",
    ),
    FindingKind.REPLAY_FROM: _replay_from,
    FindingKind.REPLAY_LEADS: _replay_leads,
    FindingKind.REPLAY_NO_STATE: _replay_no_state,
    FindingKind.REPLAY_STATE: _replay_state,
}


def wording(kind: FindingKind, params: Mapping[str, Any]) -> tuple[str, str]:
    """(English, Thai) of a finding of ``kind`` naming ``params``."""
    return _WORDING[kind](params)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: the instance (or ``anchor``, or ``year/process``) it is about, its kind
    and figures, and the record it was found at (if one)."""

    key: str
    kind: FindingKind
    params: Mapping[str, Any] = field(default_factory=dict)
    record_id: int | None = None
    seq: int | None = None

    @property
    def problem(self) -> str:
        """The problem in English."""
        return wording(self.kind, self.params)[0]

    @property
    def problem_th(self) -> str:
        """The problem in Thai."""
        return wording(self.kind, self.params)[1]

    def line(self, th: bool) -> str:
        """The line a person reads: where, then what."""
        if th:
            key = "ไฟล์หลักยึด" if self.key == ANCHOR_FINDING_KEY else self.key
            where = f" บันทึก #{self.record_id} (ลำดับที่ {self.seq})" if self.record_id else ""
            return f"{key}{where}: {self.problem_th}"
        where = f" record #{self.record_id} (seq {self.seq})" if self.record_id else ""
        return f"{self.key}{where}: {self.problem}"

    def as_dict(self) -> dict[str, Any]:
        en, th = wording(self.kind, self.params)
        return {
            "key": self.key,
            "kind": str(self.kind),
            "params": dict(self.params),
            "record_id": self.record_id,
            "seq": self.seq,
            "problem": en,
            "problem_th": th,
        }

    def __str__(self) -> str:
        return self.line(th=False)

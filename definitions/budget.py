"""Cross-checks of a definition's budget against what the seed letter wrote.

These are *findings about the source document*, not load errors: the definition
keeps the correct ``total`` and records the letter's own figures in
``seed_digits`` / ``seed_words`` so the discrepancy stays visible.
"""

from __future__ import annotations

from plancycle.definitions.model import Definition

__all__ = ["budget_findings"]


def _baht(n: int) -> str:
    return f"{n:,}"


def budget_findings(defn: Definition, lang: str = "en") -> list[str]:
    """Disagreements between ``per_unit x units``, ``total``, ``seed_digits`` and ``seed_words``.

    An empty list means every figure the definition carries agrees with ``total``.
    ``lang="th"`` gives the findings in Thai.
    """
    budget = defn.budget
    if budget is None:
        return []
    th = lang == "th"
    out: list[str] = []
    total = budget.total
    product = (
        budget.per_unit * budget.units
        if budget.per_unit is not None and budget.units is not None
        else None
    )
    words_value: int | None = None
    if budget.seed_words is not None:
        try:
            from plancycle.thai.numwords import words_to_int  # lazily: written separately
        except ImportError:
            out.append(
                "ยังตรวจจำนวนเงินที่เขียนเป็นตัวอักษรไม่ได้ (ไม่มี plancycle.thai.numwords)"
                if th
                else "the seed's words are not checked: plancycle.thai.numwords is not available"
            )
        else:
            try:
                words_value = words_to_int(budget.seed_words)
            except ValueError as exc:
                out.append(
                    f"อ่านจำนวนเงินที่เขียนเป็นตัวอักษร '{budget.seed_words}' ไม่ได้ ({exc})"
                    if th
                    else f"cannot read the seed's words '{budget.seed_words}' as a number ({exc})"
                )

    if product is not None and product != total:
        out.append(
            f"{_baht(budget.units)} × {_baht(budget.per_unit)} = {_baht(product)} "
            f"ไม่เท่ากับงบรวม {_baht(total)} บาท"
            if th
            else f"{_baht(budget.units)} x {_baht(budget.per_unit)} = {_baht(product)}, "
            f"not the total {_baht(total)} baht"
        )
    if budget.seed_digits is not None and budget.seed_digits != total:
        support_en: list[str] = []
        support_th: list[str] = []
        if words_value is not None and words_value == total:
            support_en.append(f"the words '{budget.seed_words}' ({_baht(words_value)})")
            support_th.append(f"ตัวอักษร '{budget.seed_words}' ({_baht(words_value)})")
        if product is not None and product == total:
            support_en.append(
                f"{_baht(budget.units)} x {_baht(budget.per_unit)} = {_baht(product)}"
            )
            support_th.append(
                f"{_baht(budget.units)} × {_baht(budget.per_unit)} = {_baht(product)}"
            )
        diff = budget.seed_digits - total
        if th:
            also = f" ซึ่งตรงกับ {' และ '.join(support_th)}" if support_th else ""
            out.append(
                f"ตัวเลขในหนังสือ {_baht(budget.seed_digits)} บาท ไม่ตรงกับงบที่ถูกต้อง "
                f"{_baht(total)} บาท{also} (ต่างกัน {diff:+,} บาท)"
            )
        else:
            against = " and with ".join(support_en + [f"the total {_baht(total)}"])
            out.append(
                f"the seed's digits {_baht(budget.seed_digits)} baht disagree with "
                f"{against} baht (off by {diff:+,})"
            )
    if words_value is not None and words_value != total:
        out.append(
            f"ตัวอักษรในหนังสือ '{budget.seed_words}' = {_baht(words_value)} บาท "
            f"ไม่ตรงกับงบที่ถูกต้อง {_baht(total)} บาท"
            if th
            else f"the seed's words '{budget.seed_words}' = {_baht(words_value)} baht "
            f"disagree with the total {_baht(total)} baht"
        )
    return out

"""Cross-checks of a definition's budget against what the seed letter wrote.

These are *findings about the source document*, not load errors: the definition
keeps the correct ``total`` and records the letter's own figures in
``seed_digits`` / ``seed_words`` so the discrepancy stays visible.
"""

from __future__ import annotations

from plancycle.definitions.model import Budget, Definition, required

__all__ = ["budget_findings"]


def _baht(n: int) -> str:
    return f"{n:,}"


def _product(budget: Budget) -> int | None:
    """``per_unit x units``, when the budget gives both."""
    if budget.per_unit is None or budget.units is None:
        return None
    return budget.per_unit * budget.units


def _product_text(budget: Budget, product: int, th: bool) -> str:
    times = "×" if th else "x"
    units, per_unit = required(budget.units, "budget units"), required(budget.per_unit, "per_unit")
    return f"{_baht(units)} {times} {_baht(per_unit)} = {_baht(product)}"


def _words_value(budget: Budget, th: bool, out: list[str]) -> int | None:
    """The amount ``seed_words`` spell; a finding in ``out`` when they cannot be read."""
    if budget.seed_words is None:
        return None
    try:
        from plancycle.thai.numwords import words_to_int  # lazily: written separately
    except ImportError:
        out.append(
            "ยังตรวจจำนวนเงินที่เขียนเป็นตัวอักษรไม่ได้ (ไม่มี plancycle.thai.numwords)"
            if th
            else "the seed's words are not checked: plancycle.thai.numwords is not available"
        )
        return None
    try:
        return words_to_int(budget.seed_words)
    except ValueError as exc:
        out.append(
            f"อ่านจำนวนเงินที่เขียนเป็นตัวอักษร '{budget.seed_words}' ไม่ได้ ({exc})"
            if th
            else f"cannot read the seed's words '{budget.seed_words}' as a number ({exc})"
        )
        return None


def _product_finding(budget: Budget, product: int | None, th: bool) -> str | None:
    if product is None or product == budget.total:
        return None
    text = _product_text(budget, product, th)
    total = _baht(budget.total)
    return f"{text} ไม่เท่ากับงบรวม {total} บาท" if th else f"{text}, not the total {total} baht"


def _digits_finding(
    budget: Budget, product: int | None, words_value: int | None, th: bool
) -> str | None:
    digits, total = budget.seed_digits, budget.total
    if digits is None or digits == total:
        return None
    support: list[str] = []
    if words_value is not None and words_value == total:
        words = "ตัวอักษร" if th else "the words"
        support.append(f"{words} '{budget.seed_words}' ({_baht(words_value)})")
    if product is not None and product == total:
        support.append(_product_text(budget, product, th))
    diff = digits - total
    if th:
        also = f" ซึ่งตรงกับ {' และ '.join(support)}" if support else ""
        return (
            f"ตัวเลขในหนังสือ {_baht(digits)} บาท ไม่ตรงกับงบที่ถูกต้อง "
            f"{_baht(total)} บาท{also} (ต่างกัน {diff:+,} บาท)"
        )
    against = " and with ".join(support + [f"the total {_baht(total)}"])
    return f"the seed's digits {_baht(digits)} baht disagree with {against} baht (off by {diff:+,})"


def _words_finding(budget: Budget, words_value: int | None, th: bool) -> str | None:
    if words_value is None or words_value == budget.total:
        return None
    words, value, total = budget.seed_words, _baht(words_value), _baht(budget.total)
    if th:
        return f"ตัวอักษรในหนังสือ '{words}' = {value} บาท ไม่ตรงกับงบที่ถูกต้อง {total} บาท"
    return f"the seed's words '{words}' = {value} baht disagree with the total {total} baht"


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
    product = _product(budget)
    words_value = _words_value(budget, th, out)
    findings = (
        _product_finding(budget, product, th),
        _digits_finding(budget, product, words_value, th),
        _words_finding(budget, words_value, th),
    )
    out.extend(f for f in findings if f is not None)
    return out

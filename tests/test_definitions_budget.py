"""Budget cross-checks: findings about the seed letter, not load errors."""

from __future__ import annotations

import dataclasses

import pytest

from plancycle.definitions import Budget, budget_findings, load_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def numwords():
    return pytest.importorskip("plancycle.thai.numwords")


def test_activity2_digits_disagree_with_words_and_product(catalog, numwords):
    findings = budget_findings(catalog.get("activity2"))
    assert len(findings) == 1, findings
    text = findings[0]
    assert "27,450,500" in text  # what the letter wrote in digits
    assert "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อยบาทถ้วน" in text and "(27,440,400)" in text
    assert "7,036 x 3,900 = 27,440,400" in text
    assert "off by +10,100" in text
    thai = budget_findings(catalog.get("activity2"), lang="th")
    assert len(thai) == 1 and "27,450,500" in thai[0] and "ไม่ตรง" in thai[0]


@pytest.mark.parametrize("process", ["activity1", "activity3", "orders", "village_plan"])
def test_consistent_budgets_have_no_findings(catalog, numwords, process):
    assert budget_findings(catalog.get(process)) == []


def test_product_and_words_mismatches_are_reported(catalog, numwords):
    defn = catalog.get("activity3")
    wrong = dataclasses.replace(
        defn,
        budget=Budget(
            per_unit=10_000,
            units=878,
            total=8_790_000,
            seed_digits=8_790_000,
            seed_words="แปดล้านเจ็ดแสนแปดหมื่นบาทถ้วน",
        ),
    )
    findings = budget_findings(wrong)
    assert len(findings) == 2, findings
    assert "878 x 10,000 = 8,780,000, not the total 8,790,000" in findings[0]
    assert "= 8,780,000 baht disagree with the total 8,790,000" in findings[1]


def test_digits_check_does_not_need_the_words(catalog):
    """Without seed words the digits and the product are still compared."""
    defn = catalog.get("activity2")
    no_words = dataclasses.replace(defn, budget=dataclasses.replace(defn.budget, seed_words=None))
    findings = budget_findings(no_words)
    assert findings == [
        "the seed's digits 27,450,500 baht disagree with 7,036 x 3,900 = 27,440,400 "
        "and with the total 27,440,400 baht (off by +10,100)"
    ]
    assert budget_findings(dataclasses.replace(defn, budget=None)) == []


def test_unreadable_words_are_a_finding_not_a_crash(catalog, numwords):
    defn = catalog.get("activity3")
    garbled = dataclasses.replace(
        defn, budget=dataclasses.replace(defn.budget, seed_words="แปดล้านXYZบาท")
    )
    findings = budget_findings(garbled)
    assert len(findings) == 1
    assert findings[0].startswith("cannot read the seed's words 'แปดล้านXYZบาท'")

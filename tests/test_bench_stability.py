"""The quick benchmark's stability check reads every ratio of each report's target lines
(by throughput and by CPU) and flags one that strays more than 15 % from its median."""

from __future__ import annotations

from bench.stability import ratios, stability_table

REPORT = """## Summary
- plancycle / SpiffWorkflow >= 5x: 6.84x (by CPU 7.02x) -> met
- plancycle / bare floor >= 0.25x: 0.51x (by CPU 0.43x) -> met
- idle sweep at 17k < 1 s: 0.06 s wall (0.05 s CPU) -> met
target: under 30 s -> met
"""


def test_ratios_are_read_from_the_target_lines() -> None:
    assert ratios(REPORT) == {
        "plancycle / SpiffWorkflow >= 5x": 6.84,
        "plancycle / SpiffWorkflow >= 5x, by CPU": 7.02,
        "plancycle / bare floor >= 0.25x": 0.51,
        "plancycle / bare floor >= 0.25x, by CPU": 0.43,
    }


def test_a_ratio_off_by_more_than_15_percent_is_flagged() -> None:
    steady, moved = REPORT, REPORT.replace("6.84x (", "8.00x (")  # +17 %
    table, ok = stability_table([steady, steady, steady, steady, steady])
    assert ok and table.count("| yes |") == 4
    table, ok = stability_table([steady, steady, moved, steady, steady])
    assert not ok
    (line,) = [
        row for row in table.splitlines() if row.startswith("| plancycle / Spiff") and "NO" in row
    ]
    assert "6.84x | 6.84x | 8.00x | 17.0%" in line
    assert table.count("| yes |") == 3

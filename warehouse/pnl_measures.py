"""The P&L measures as Python reads them: from `seeds/pnl_measures.csv`, the one place they are defined.

The seed lists every amount with its sign and margin tier, and the subtotals (net_sales,
contribution_margin_1..3, net_profit) that close the tiers; the dbt marts read the same rows through the
`pnl_measures` macros. In Python, net sales, the margins and net profit are computed only by
`PnlMeasures.subtotal` (the channel report and its truth comparison, the demo generator's ground truth and
summary), so a cost moved to another tier in the seed moves everywhere.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SEED = Path(__file__).resolve().parent.parent / "seeds" / "pnl_measures.csv"
PASS_THROUGH = "pass_through"
GRAINS = ("order_line", "day")


@dataclass(frozen=True)
class Measure:
    name: str
    kind: str  # amount | subtotal
    margin_tier: str  # a subtotal's name, or pass_through
    sign: int | None  # amounts: +1 adds to profit, -1 is a cost or deduction; subtotals: None
    grain: str  # order_line (on the line fact) or day (fct_daily_costs); a subtotal's is its amounts' coarsest
    label: str
    description: str
    terms: tuple[tuple[str, int], ...] = ()  # a subtotal's (amount, sign) pairs


class PnlMeasures:
    """The seed's measures in display order, with the subtotal arithmetic."""

    def __init__(self, measures: list[Measure]):
        self.measures = measures
        self.by_name = {m.name: m for m in measures}

    def __getitem__(self, name: str) -> Measure:
        return self.by_name[name]

    def names(self, kind: str | None = None, grain: str | None = None, in_margins: bool = False) -> list[str]:
        """Measure names in display order; `in_margins` leaves out pass-through amounts (taxes)."""
        return [
            m.name
            for m in self.measures
            if (kind is None or m.kind == kind)
            and (grain is None or m.grain == grain)
            and not (in_margins and m.margin_tier == PASS_THROUGH)
        ]

    def subtotal(self, name: str, values: Mapping[str, Any]) -> Any:
        """The subtotal `name` from `values` (amount name -> number, Decimal or polars expression)."""
        total = None
        for amount, sign in self[name].terms:
            term = values[amount] if sign > 0 else -values[amount]
            total = term if total is None else total + term
        return 0 if total is None else total

    @property
    def report_columns(self) -> list[str]:
        """What the channel P&L prints: every subtotal and the day-grain amounts, in display order."""
        return [m.name for m in self.measures if m.kind == "subtotal" or m.grain == "day"]

    def report_figures(self, amounts: Mapping[str, Any]) -> dict[str, Any]:
        """The report columns from a row of amounts (a truth summary's channel or total): subtotals computed."""
        return {c: self.subtotal(c, amounts) if self[c].kind == "subtotal" else amounts[c] for c in self.report_columns}


@cache
def load(path: Path = SEED) -> PnlMeasures:
    """The measures of the seed at `path` (the project's by default), checked as the dbt macros check them."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["display_order"]))
    tiers = [r["measure"] for r in rows if r["kind"] == "subtotal"]
    problems = []
    for r in rows:
        if r["kind"] == "subtotal" and r["margin_tier"] != r["measure"]:
            problems.append(f"subtotal {r['measure']} must have margin_tier {r['measure']}")
        elif r["kind"] == "amount":
            if r["margin_tier"] not in [*tiers, PASS_THROUGH]:
                problems.append(f"{r['measure']}: margin_tier {r['margin_tier']!r} is no subtotal nor {PASS_THROUGH}")
            if r["sign"] not in ("1", "-1") or r["grain"] not in GRAINS:
                problems.append(f"{r['measure']}: sign must be 1 or -1 and grain one of {GRAINS}")
        elif r["kind"] != "subtotal":
            problems.append(f"{r['measure']}: kind {r['kind']!r} is neither amount nor subtotal")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    measures = []
    for r in rows:
        common = {"name": r["measure"], "kind": r["kind"], "margin_tier": r["margin_tier"]}
        common |= {"label": r["label"], "description": r["description"]}
        if r["kind"] == "amount":
            measures.append(Measure(**common, sign=int(r["sign"]), grain=r["grain"]))
            continue
        closed = tiers[: tiers.index(r["measure"]) + 1]
        amounts = [a for a in rows if a["kind"] == "amount" and a["margin_tier"] in closed]
        grain = "day" if any(a["grain"] == "day" for a in amounts) else "order_line"
        terms = tuple((a["measure"], int(a["sign"])) for a in amounts)
        measures.append(Measure(**common, sign=None, grain=grain, terms=terms))
    return PnlMeasures(measures)

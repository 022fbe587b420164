"""Response shapes of earned value: the figures of a project and its phases, its S-curve and verdict.

Money is in the project's currency as numbers with two decimals; indices are numbers rounded to
three decimals. A figure that cannot be measured (no baseline; a division by zero, such as CPI
before anything is spent) is null. No rate and no task's cost is ever part of it.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from tandem.costs import evm


def _money(cents: int | None) -> float | None:
    value = evm.money(cents)
    return None if value is None else float(value)


def _index(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class FiguresOut(Schema):
    """The earned value figures of the project or of a phase."""

    bac: float | None = Field(description="Budget at completion: Σ baseline cost of the leaf tasks")
    pv: float | None = Field(description="Planned value at as_of: the baseline cost spread over working time")
    ev: float | None = Field(description="Earned value: Σ baseline cost × percent complete")
    ac: float | None = Field(description="Actual cost up to as_of: approved time and expenses")
    sv: float | None = Field(description="SV = EV − PV")
    cv: float | None = Field(description="CV = EV − AC")
    spi: float | None = Field(description="SPI = EV / PV")
    cpi: float | None = Field(description="CPI = EV / AC")
    eac: float | None = Field(description="EAC = BAC / CPI (+ the cost of tasks added since the baseline)")
    etc: float | None = Field(description="ETC = EAC − AC")
    vac: float | None = Field(description="VAC = BAC − EAC")
    tcpi: float | None = Field(description="TCPI = (BAC − EV) / (BAC − AC)")
    percent_complete: float | None = Field(description="EV / BAC, in percent")
    percent_spent: float | None = Field(description="AC / BAC, in percent")
    rag: str | None = Field(description="green, amber or red from the worse of CPI and SPI")

    @classmethod
    def of(cls, figures: evm.Figures | None, ac: int) -> FiguresOut:
        """The figures, or nulls but AC without a baseline."""
        if figures is None:
            nulls: dict[str, object] = {name: None for name in cls.model_fields}
            return cls.model_validate(nulls | {"ac": _money(ac)})
        f = figures
        return cls(
            bac=_money(f.bac),
            pv=_money(f.pv),
            ev=_money(f.ev),
            ac=_money(f.ac),
            sv=_money(f.sv),
            cv=_money(f.cv),
            spi=_index(f.spi),
            cpi=_index(f.cpi),
            eac=_money(f.eac),
            etc=_money(f.etc),
            vac=_money(f.vac),
            tcpi=_index(f.tcpi),
            percent_complete=_percent(f.percent_complete),
            percent_spent=_percent(f.percent_spent),
            rag=f.rag,
        )


class PhaseOut(FiguresOut):
    """A top-level summary task of the baseline and its figures."""

    task_id: int | None = Field(description="Null when the phase was deleted from the plan since")
    name: str


class CurvePointOut(Schema):
    """A point of the S-curve: cumulative PV, AC (up to as_of) and EV (at as_of only)."""

    date: dt.date
    pv: float
    ac: float | None
    ev: float | None


class MarkerOut(Schema):
    """A date the plan changed: an approved baseline or an approved change request."""

    date: dt.date
    kind: str = Field(description="baseline or change")
    label: str


class BaselineRefOut(Schema):
    """The baseline measured against."""

    id: int
    name: str
    approved: bool


class SCurveOut(Schema):
    """The weekly S-curve from the baseline's start to its finish (or as_of, when later)."""

    points: list[CurvePointOut]
    markers: list[MarkerOut]
    ev_history: bool = Field(description="False: EV is known at as_of only (progress has no history)")


class EarnedValueOut(FiguresOut):
    """A project's earned value at a date."""

    as_of: dt.date
    currency: str
    eac_method: str = Field(description="typical: EAC = BAC / CPI")
    spi_t: float | None = Field(description="SPI(t) = ES / AT, earned schedule in weeks")
    verdict: str
    baseline: BaselineRefOut | None
    phases: list[PhaseOut]
    s_curve: SCurveOut

    @classmethod
    def of_result(cls, result: evm.Result) -> EarnedValueOut:
        """The API's view of ``result``."""
        baseline = result.baseline
        return cls(
            **FiguresOut.of(result.figures, result.ac).model_dump(),
            as_of=result.as_of,
            currency=result.currency,
            eac_method=result.eac_method,
            spi_t=_index(result.spi_t),
            verdict=result.verdict,
            baseline=(
                BaselineRefOut(id=baseline.pk, name=baseline.name, approved=baseline.is_approved)
                if baseline
                else None
            ),
            phases=[
                PhaseOut(
                    **FiguresOut.of(p.figures, p.figures.ac).model_dump(), task_id=p.task_id, name=p.name
                )
                for p in result.phases
            ],
            s_curve=SCurveOut(
                points=[
                    CurvePointOut(date=p.day, pv=_money(p.pv) or 0.0, ac=_money(p.ac), ev=_money(p.ev))
                    for p in result.curve
                ],
                markers=[MarkerOut(date=m.day, kind=m.kind, label=m.label) for m in result.markers],
                ev_history=result.ev_history,
            ),
        )

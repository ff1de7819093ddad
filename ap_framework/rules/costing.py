"""Costing a placement: the sessions its timetable plans, the units a charging basis counts, the rate,
the planned cost and how funders share it. Plain values in, problems or figures out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ap_framework.rules import Problem, _, problem

BASES = ("Per Session", "Per Day", "Per Week", "Per Term", "Fixed")
RATE_SOURCES = ("Provider Rate", "Agreed Rate")
FUNDING_SOURCES = ("School Budget", "LA High Needs", "Pupil Premium", "Other")
DEFAULT_FUNDING = "School Budget"  # who pays when a placement names no funders
# The provider's rate for each basis (fields of AP Provider); a fixed fee is always agreed per placement.
PROVIDER_RATE_FIELD = {
	"Per Session": "cost_per_session",
	"Per Day": "cost_per_day",
	"Per Week": "cost_per_week",
	"Per Term": "cost_per_term",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Funding:
	source: str
	percentage: float
	row: int = 0


@dataclass(frozen=True)
class Costing:
	basis: str | None
	rate_source: str | None
	provider_rate: float | None  # the provider's rate for this basis
	agreed_rate: float | None
	funding: tuple[Funding, ...] = ()


def term_of(d: date) -> tuple[int, str]:
	"""The school term a date falls in, named by the academic year it starts: Autumn (September to
	December), Spring (January to March), Summer (April to August). Local term dates vary; these
	boundaries only count how many terms a period touches."""
	if d.month >= 9:
		return d.year, "Autumn"
	if d.month <= 3:
		return d.year - 1, "Spring"
	return d.year - 1, "Summer"


def timetabled_sessions(
	start: date | None,
	end: date | None,
	weekly: Iterable[tuple[str, str]],
	closed: Iterable[date] = (),
) -> list[tuple[date, str]]:
	"""Every (date, AM/PM) the weekly timetable plans between start and end inclusive, skipping closed
	dates (holidays). Two slots in one morning are one session: a register has one mark per session."""
	if not start or not end or end < start:
		return []
	by_day: dict[int, set[str]] = {}
	for weekday, session in weekly:
		if weekday in WEEKDAYS and session:
			by_day.setdefault(WEEKDAYS.index(weekday), set()).add(session)
	closed = set(closed)
	out = []
	d = start
	while d <= end:
		if d not in closed:
			out.extend((d, s) for s in sorted(by_day.get(d.weekday(), ())))
		d += timedelta(days=1)
	return out


def units(basis: str | None, sessions: Iterable[tuple[date, str]]) -> int:
	"""How many units of the charging basis a set of sessions makes: sessions, distinct days, distinct
	weeks (ISO), distinct terms; a fixed fee is one unit whenever there is anything at all."""
	sessions = list(sessions)
	if basis == "Per Session":
		return len(set(sessions))
	if basis == "Per Day":
		return len({d for d, _s in sessions})
	if basis == "Per Week":
		return len({d.isocalendar()[:2] for d, _s in sessions})
	if basis == "Per Term":
		return len({term_of(d) for d, _s in sessions})
	if basis == "Fixed":
		return 1 if sessions else 0
	return 0


def effective_rate(c: Costing) -> float | None:
	if not c.basis:
		return None
	if c.basis == "Fixed" or c.rate_source == "Agreed Rate":
		return c.agreed_rate
	return c.provider_rate


def check(c: Costing) -> list[Problem]:
	problems = []
	if not c.basis:
		if c.funding:
			problems.append(
				problem(
					"charging_basis",
					_("Choose how the provider charges before splitting the cost"),
					kind="costing",
				)
			)
		return problems
	if c.basis not in BASES:
		problems.append(problem("charging_basis", _("{0} is not a charging basis"), c.basis, kind="costing"))
		return problems
	rate = effective_rate(c)
	if rate is not None and rate < 0:
		problems.append(problem("agreed_cost", _("The rate cannot be negative"), kind="costing"))
	elif not rate:
		if c.basis == "Fixed":
			problems.append(problem("agreed_cost", _("A fixed fee needs the agreed fee"), kind="costing"))
		elif c.rate_source == "Agreed Rate":
			problems.append(
				problem("agreed_cost", _("Give the rate agreed for this placement"), kind="costing")
			)
		else:
			problems.append(
				problem(
					"rate_source",
					_(
						"The provider has no rate {0}: record it on the provider or agree one for this placement"
					),
					c.basis.lower(),
					kind="costing",
				)
			)
	seen = set()
	for f in c.funding:
		if f.source not in FUNDING_SOURCES:
			problems.append(
				problem("funding", _("Row {0}: {1} is not a funding source"), f.row, f.source, kind="costing")
			)
		if f.source in seen:
			problems.append(
				problem("funding", _("Row {0}: {1} is named twice"), f.row, f.source, kind="costing")
			)
		seen.add(f.source)
		if not 0 < (f.percentage or 0) <= 100:
			problems.append(
				problem(
					"funding",
					_("Row {0}: the share must be more than 0% and at most 100%"),
					f.row,
					kind="costing",
				)
			)
	total = round(sum(f.percentage or 0 for f in c.funding), 2)
	if c.funding and total != 100:
		problems.append(
			problem("funding", _("The funding shares add up to {0}%, not 100%"), f"{total:g}", kind="costing")
		)
	return problems


def planned(basis: str | None, rate: float | None, sessions: Iterable[tuple[date, str]]) -> tuple[int, float]:
	"""(units, cost) a placement plans for."""
	n = units(basis, sessions)
	return n, round(n * (rate or 0), 2)


def shares(funding: Iterable[Funding]) -> list[tuple[str, float]]:
	"""(source, percentage) for each funder; all of it to the school's budget when none is named."""
	rows = [(f.source, float(f.percentage)) for f in funding]
	return rows or [(DEFAULT_FUNDING, 100.0)]


def split(amount: float, percentages: list[float]) -> list[float]:
	"""Split an amount by percentages, to the penny, so that the parts add up to the whole exactly
	(largest remainder)."""
	if not percentages:
		return []
	pence = round(amount * 100)
	total_pct = sum(percentages) or 1
	raw = [pence * p / total_pct for p in percentages]
	parts = [int(r) for r in raw]
	left = pence - sum(parts)
	for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: max(left, 0)]:
		parts[i] += 1
	return [p / 100 for p in parts]


@dataclass(frozen=True)
class OrderLine:
	funding_source: str
	qty: float
	rate: float


def order_lines(units: int, rate: float | None, funding: Iterable[Funding]) -> list[OrderLine]:
	"""The commissioning order's lines: one per funder, each for every planned unit at the funder's share
	of the rate (to the penny), so each funder's cost can be booked to its own cost center."""
	if not units or not rate:
		return []
	return [OrderLine(source, float(units), round(rate * pct / 100, 2)) for source, pct in shares(funding)]

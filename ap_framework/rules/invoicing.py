"""A provider's invoice checked against the placements it names and the registers kept for them.

Two questions, kept apart: is the invoice well-formed (each line names a placement of this supplier's
provider, a period inside the placement, a positive quantity, and no period twice)? If not it is refused.
Does it charge more than was delivered under the agreed terms? If so it is held, with a breakdown
finance can read on the invoice itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ap_framework.rules import Problem, _, costing, problem
from ap_framework.rules.attendance import ABSENT, NOT_POSSIBLE, PRESENT

# A session the pupil came to, even after the register closed, was delivered.
DELIVERED = PRESENT | {"U"}
UNAUTHORISED = frozenset({"G", "N", "O"})
# The agreed terms (Placement.chargeable_absences): which absences the provider may charge for.
# Sessions that were not possible (X, Q, Y1-Y7: closures, transport, disruption) are never charged.
CHARGEABLE_ABSENCES = {
	"None": frozenset(),
	"Unauthorised": UNAUTHORISED,
	"All": frozenset(ABSENT) - NOT_POSSIBLE,
}
TOLERANCE = 0.005  # half a penny


@dataclass(frozen=True)
class Line:
	row: int
	placement: str
	period_from: date | None
	period_to: date | None
	qty: float
	rate: float


@dataclass(frozen=True)
class Terms:
	"""What was agreed for a placement, and whose it is."""

	placement: str
	provider: str
	supplier: str | None
	start: date
	end: date
	basis: str | None
	rate: float | None
	chargeable_absences: str = "None"


@dataclass(frozen=True)
class Invoiced:
	"""A period of a placement already charged on another (submitted) invoice."""

	placement: str
	period_from: date
	period_to: date
	invoice: str


def _overlap(a_from: date, a_to: date, b_from: date, b_to: date) -> bool:
	return a_from <= b_to and b_from <= a_to


def check_lines(
	lines: list[Line], terms: dict[str, Terms], supplier: str, invoiced: Iterable[Invoiced] = ()
) -> list[Problem]:
	"""Problems that refuse the invoice: each names its row and says what to fix."""
	problems = []
	invoiced = list(invoiced)

	def bad(message, *args):
		problems.append(problem("items", message, *args, kind="invoice"))

	for ln in lines:
		t = terms.get(ln.placement)
		if t is None:
			bad(_("Row {0}: placement {1} does not exist"), ln.row, ln.placement)
			continue
		if t.supplier != supplier:
			bad(
				_("Row {0}: placement {1} is with {2}, not with supplier {3}"),
				ln.row,
				ln.placement,
				t.provider,
				supplier,
			)
		if not t.basis:
			bad(_("Row {0}: placement {1} has no charging basis agreed"), ln.row, ln.placement)
		if not ln.period_from or not ln.period_to:
			bad(_("Row {0}: give the period charged for (AP Period From and To)"), ln.row)
			continue
		if ln.period_from > ln.period_to:
			bad(
				_("Row {0}: the period ends ({1}) before it starts ({2})"),
				ln.row,
				ln.period_to,
				ln.period_from,
			)
			continue
		if ln.period_from < t.start or ln.period_to > t.end:
			bad(
				_("Row {0}: the period {1} to {2} is outside placement {3}, which runs {4} to {5}"),
				ln.row,
				ln.period_from,
				ln.period_to,
				ln.placement,
				t.start,
				t.end,
			)
		if ln.qty <= 0 or ln.rate < 0:
			bad(_("Row {0}: the quantity must be more than zero and the rate not negative"), ln.row)
	for i, a in enumerate(lines):
		if not (a.period_from and a.period_to):
			continue
		for b in lines[i + 1 :]:
			if (
				b.placement == a.placement
				and b.period_from
				and b.period_to
				and _overlap(a.period_from, a.period_to, b.period_from, b.period_to)
			):
				bad(
					_("Rows {0} and {1} charge for placement {2} over the same dates"),
					a.row,
					b.row,
					a.placement,
				)
		for inv in invoiced:
			if inv.placement == a.placement and _overlap(
				a.period_from, a.period_to, inv.period_from, inv.period_to
			):
				bad(
					_("Row {0}: placement {1} was already invoiced from {2} to {3} on {4}"),
					a.row,
					a.placement,
					inv.period_from,
					inv.period_to,
					inv.invoice,
				)
	return problems


@dataclass(frozen=True)
class LineCheck:
	row: int
	placement: str
	period_from: date
	period_to: date
	basis: str
	timetabled: int  # sessions the timetable planned in the period
	attended: int  # sessions marked as attended
	chargeable_absent: int  # absences the terms let the provider charge for
	other_absent: int  # absences and sessions not possible, not chargeable
	unmarked: int  # timetabled sessions with no mark: nothing shows they were delivered
	chargeable_units: int
	charged_units: float
	rate: float
	agreed_rate: float

	@property
	def charged(self) -> float:
		return round(self.charged_units * self.rate, 2)

	@property
	def allowed(self) -> float:
		return round(min(self.charged_units, self.chargeable_units) * min(self.rate, self.agreed_rate), 2)

	@property
	def over(self) -> float:
		return round(max(self.charged - self.allowed, 0), 2)


def check_delivery(
	line: Line,
	t: Terms,
	timetabled: Iterable[tuple[date, str]],
	marks: Iterable[tuple[date, str, str]],
) -> LineCheck:
	"""Compare what a well-formed line charges with the register for its period."""
	timetabled = set(timetabled)
	in_period = [(d, s, m) for d, s, m in marks if line.period_from <= d <= line.period_to]
	chargeable_marks = CHARGEABLE_ABSENCES.get(t.chargeable_absences or "None", frozenset())
	attended = [(d, s) for d, s, m in in_period if m in DELIVERED]
	charge_absent = [(d, s) for d, s, m in in_period if m in chargeable_marks]
	marked = {(d, s) for d, s, _m in in_period}
	return LineCheck(
		row=line.row,
		placement=line.placement,
		period_from=line.period_from,
		period_to=line.period_to,
		basis=t.basis or "",
		timetabled=len(timetabled),
		attended=len(attended),
		chargeable_absent=len(charge_absent),
		other_absent=len(in_period) - len(attended) - len(charge_absent),
		unmarked=len(timetabled - marked),
		chargeable_units=(1 if t.basis == "Fixed" else costing.units(t.basis, attended + charge_absent)),
		charged_units=line.qty,
		rate=line.rate,
		agreed_rate=t.rate or 0,
	)


def breakdown(checks: list[LineCheck], currency: str = "") -> str:
	"""Plain text, one paragraph per line, for the invoice itself: what finance reads when it is held."""
	out = []
	for c in checks:
		money = f"{currency} " if currency else ""
		text = (
			f"Row {c.row}: {c.placement}, {c.period_from} to {c.period_to}, {c.basis.lower()}. "
			f"Register: {c.timetabled} sessions timetabled, {c.attended} attended, "
			f"{c.chargeable_absent} chargeable absences, {c.other_absent} other absences, "
			f"{c.unmarked} not marked. Chargeable: {c.chargeable_units} at {money}{c.agreed_rate:.2f}. "
			f"Charged: {c.charged_units:g} at {money}{c.rate:.2f} = {money}{c.charged:.2f}."
		)
		text += f" Over by {money}{c.over:.2f}." if c.over > TOLERANCE else " Matches."
		out.append(text)
	return "\n".join(out)


def total_over(checks: list[LineCheck]) -> float:
	return round(sum(c.over for c in checks), 2)

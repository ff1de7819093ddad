"""Each placement's marks of the last four weeks, summed once instead of on every look.

The readiness board asks, for every live placement, how many sessions were attended, possible and
reported late in the last four weeks. Across an LA that is most of a million marks; summed on every look
it takes seconds. **AP Attendance Window** holds the sums, one row per placement, as at a day:

- each night (a `daily_long` job) `rebuild()` sums the four weeks to the new day, set-based, in one
  statement;
- every write of a mark (the portal register, a mark edited or deleted in the desk, Data Import) calls
  `keep_in_step()` for the placements it touched, which sums just those placements again (a few dozen
  marks each, read through the one-mark-per-session index); the portal register adds its new marks to
  the sums instead (`add_new()`, one statement), as a new mark only adds;
- `sums()` answers the rows only when they are as at the day asked about; otherwise (the night's rebuild
  has not run yet, or a board as at another day) the caller sums the marks itself, as it always did, so
  a stale table is slower, never wrong.

A register saved in the same instant as the night's rebuild may leave its placement's row one register
behind until the next night: registers are not kept at midnight.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import frappe
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Sum
from frappe.utils import now_datetime

from ap_framework.rules import attendance
from ap_framework.utils import site_today

DAYS = 28  # the readiness board's four weeks
TABLE = "AP Attendance Window"
# The day the sums are as at is also held in a row of its own (no placement), written in the same
# transaction as the sums: a site with no marks in the window still knows its table is current.
STAMP = "as at"


def since(as_at: date) -> date:
	"""The first day of the window that ends on `as_at`."""
	return as_at - timedelta(days=DAYS)


def rebuild(as_at: date | None = None) -> int:
	"""Every placement's sums as at `as_at` (the site's today): the whole table in one statement."""
	as_at = as_at or site_today()
	frappe.db.delete(TABLE)
	_sum_into(as_at)
	now = now_datetime()
	frappe.db.sql(
		"""insert into `tabAP Attendance Window` (name, as_at, creation, modified, owner, modified_by)
		values (%s, %s, %s, %s, 'Administrator', 'Administrator')""",
		(STAMP, as_at, now, now),
	)
	return frappe.db.count(TABLE) - 1


def keep_in_step(placements: Iterable[str]) -> None:
	"""The sums of these placements again, after their marks changed. Nothing when the table is not as at
	today: the board then sums the marks itself until the night's rebuild."""
	placements = sorted({p for p in placements if p})
	if not placements or (as_at := stamped()) != site_today():
		return
	w = DocType(TABLE)
	frappe.qb.from_(w).delete().where(w.placement.isin(placements)).run()  # never the stamp: no placement
	_sum_into(as_at, placements)


def add_new(marks: Iterable[tuple[str, str, int]], day: date) -> None:
	"""A register's new marks of `day` (placement, mark, reported late) added to their placements' sums, as
	summing them again would give (a new mark only adds), in one statement that adds nothing unless the
	table is as at today and the day is inside its four weeks."""
	marks = list(marks)
	if not marks:
		return
	today, now = site_today(), now_datetime()
	row = "select %s placement, %s attended, %s possible, %s late"
	values = []
	for placement, mark, late in marks:
		values += [
			placement,
			int(mark in attendance.ATTENDED),
			int(mark not in attendance.NOT_POSSIBLE),
			int(late),
		]
	frappe.db.sql(
		"""insert into `tabAP Attendance Window`
			(name, placement, as_at, attended, possible, late, registers,
			creation, modified, owner, modified_by, docstatus, idx)
		select m.placement, m.placement, %s, m.attended, m.possible, m.late, 1,
			%s, %s, 'Administrator', 'Administrator', 0, 0
		from ({}) m
		where exists (select 1 from `tabAP Attendance Window` s where s.name = %s and s.as_at = %s)
			and %s between %s and %s
		on duplicate key update attended = `tabAP Attendance Window`.attended + values(attended),
			possible = `tabAP Attendance Window`.possible + values(possible),
			late = `tabAP Attendance Window`.late + values(late),
			registers = `tabAP Attendance Window`.registers + 1,
			modified = values(modified)""".format(" union all ".join([row] * len(marks))),
		[today, now, now, *values, STAMP, today, day, since(today), today],
	)


def stamped() -> date | None:
	"""The day the table's sums are as at, or None when it holds none."""
	w = DocType(TABLE)
	row = frappe.qb.from_(w).select(w.as_at).where(w.name == STAMP).run()
	return row[0][0] if row else None


def sums(placements_query, as_at: date) -> list[frappe._dict] | None:
	"""(placement, attended, possible, late, registers) of the placements the query selects, or None when
	the table is not as at `as_at` (the caller then sums the marks)."""
	if stamped() != as_at:
		return None
	w = DocType(TABLE)
	return (
		frappe.qb.from_(w)
		.select(w.placement, w.attended, w.possible, w.late, w.registers)
		.where(w.placement.isin(placements_query))
		.run(as_dict=True)
	)


def sums_of_day(placements_query, day: date) -> list[frappe._dict]:
	"""The same sums of one day's marks alone (a day is a twentieth of the window): what a window that
	ends the day before takes off the kept sums."""
	a = DocType("AP Attendance")
	return (
		frappe.qb.from_(a)
		.select(a.placement, attended(a).as_("attended"), possible(a).as_("possible"))
		.where(a.placement.isin(placements_query) & (a.attendance_date == day))
		.groupby(a.placement)
		.run(as_dict=True)
	)


def attended(a):
	"""Sessions attended among marks `a` (a query builder table of AP Attendance)."""
	return Sum(Case().when(a.mark.isin(sorted(attendance.ATTENDED)), 1).else_(0))


def possible(a):
	"""Possible sessions among marks `a`: every mark but those the DfE counts as not possible."""
	return Sum(Case().when(a.mark.isin(sorted(attendance.NOT_POSSIBLE)), 0).else_(1))


def _sum_into(as_at: date, placements: list[str] | None = None) -> None:
	"""One INSERT ... SELECT: the sums the readiness board would compute from the marks, as at `as_at`."""
	now = now_datetime()
	only = "and a.placement in %(placements)s" if placements else ""
	frappe.db.sql(
		f"""insert into `tabAP Attendance Window`
			(name, placement, as_at, attended, possible, late, registers,
			creation, modified, owner, modified_by, docstatus, idx)
		select a.placement, a.placement, %(as_at)s,
			sum(case when a.mark in %(attended)s then 1 else 0 end),
			sum(case when a.mark in %(not_possible)s then 0 else 1 end),
			sum(a.reported_late), count(*),
			%(now)s, %(now)s, 'Administrator', 'Administrator', 0, 0
		from `tabAP Attendance` a
		where a.attendance_date >= %(since)s {only}
		group by a.placement""",
		{
			"as_at": as_at,
			"since": since(as_at),
			"attended": tuple(sorted(attendance.ATTENDED)),
			"not_possible": tuple(sorted(attendance.NOT_POSSIBLE)),
			"placements": tuple(placements or ()),
			"now": now,
		},
	)

"""The day's registers due, held as rows instead of worked out from every timetable on every look.

The registers-outstanding card asks, across an LA: which live placements have a slot today covering the
morning or the afternoon session, and no mark for it yet? Worked out each time, that is tens of
thousands of timetable slots, placements and marks, a few hundred milliseconds on every workspace load.
**AP Register Due** holds the day's answer, one row per placement and session due, with whether it is
marked:

- each night (a `daily_long` job) `rebuild()` writes the new day's rows, set-based, in one statement;
- the portal register marks its rows in one statement as it saves (`marked()`);
- every other change that moves the answer works its placements' rows out again (`keep_in_step()`): a
  mark made, moved or deleted in the desk or by Data Import, a placement saved (its status, start date
  or timetable) or deleted;
- `outstanding()` answers only when the rows are for the day asked about; otherwise (the night's rebuild
  has not run yet) the card works it out as it always did, so a table not for today is slower, never
  wrong.

The card confirms each unmarked row against its placement and marks, so a placement deleted or ended, or
a mark made, beneath the documents (SQL) never counts; a placement made, a timetable changed or a mark
deleted beneath them shows from the next night's rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count
from frappe.utils import now_datetime
from pypika.terms import ExistsCriterion

from ap_framework.rules import attendance
from ap_framework.utils import site_today

TABLE = "AP Register Due"
STAMP = "day"  # the row that says which day the rows are for (no placement)


def rebuild(day: date | None = None) -> int:
	"""The rows of `day` (the site's today): the whole table in one statement."""
	day = day or site_today()
	frappe.db.delete(TABLE)
	_work_out(day)
	now = now_datetime()
	frappe.db.sql(
		"""insert into `tabAP Register Due` (name, day, marked, creation, modified, owner, modified_by)
		values (%s, %s, 1, %s, %s, 'Administrator', 'Administrator')""",
		(STAMP, day, now, now),
	)
	return frappe.db.count(TABLE) - 1


def stamped() -> date | None:
	"""The day the rows are for, or None when there are none."""
	d = DocType(TABLE)
	row = frappe.qb.from_(d).select(d.day).where(d.name == STAMP).run()
	return row[0][0] if row else None


def outstanding(day: date, scope) -> int | None:
	"""Sessions due on `day` not marked yet, of the placements `scope(query, placement_table)` lets
	through; None when the rows are not for `day` (the caller then works it out).

	The unmarked rows are the candidates, a few thousand across an LA; each is confirmed against its
	placement (still live, started, and its school now) and its marks, so a placement deleted or ended,
	or a mark made, beneath the documents never counts."""
	if stamped() != day:
		return None
	d, p, a = DocType(TABLE), DocType("Placement"), DocType("AP Attendance")
	marked = (
		frappe.qb.from_(a)
		.select(a.name)
		.where((a.placement == d.placement) & (a.attendance_date == day) & (a.session == d.session))
	)
	query = (
		frappe.qb.from_(d)
		.join(p)
		.on(p.name == d.placement)
		.select(Count("*"))
		.where((d.day == day) & (d.marked == 0) & d.session.isin(attendance.SESSIONS))
		.where((p.status == "Active") & (p.start_date <= day))
		.where(ExistsCriterion(marked).negate())
	)
	return scope(query, p).run()[0][0]


def marked(placements: Iterable[str], day: date, session: str) -> None:
	"""A register saved: its new marks' rows are marked (nothing when the rows are for another day)."""
	placements = sorted(set(placements))
	if not placements or day != site_today():  # the rows are only ever today's
		return
	d = DocType(TABLE)
	(
		frappe.qb.update(d)
		.set(d.marked, 1)
		.where(d.placement.isin(placements) & (d.day == day) & (d.session == session))
		.run()
	)


def keep_in_step(placements: Iterable[str]) -> None:
	"""These placements' rows worked out again, after a mark or the placement itself changed. Nothing when
	the rows are not for today."""
	placements = sorted({p for p in placements if p})
	day = stamped()
	if not placements or day != site_today():
		return
	d = DocType(TABLE)
	frappe.qb.from_(d).delete().where(d.placement.isin(placements)).run()  # never the stamp: no placement
	_work_out(day, placements)


def on_placement_change(doc, method=None) -> None:
	"""doc_events handler of Placement (on_change, after_delete): its status, start or timetable moved."""
	keep_in_step([doc.name])


def _work_out(day: date, placements: list[str] | None = None) -> None:
	"""One INSERT ... SELECT: a row per live placement and session with a slot on `day` covering it, as
	the card counts them (cards.registers_outstanding), marked where a mark is there."""
	now = now_datetime()
	only = "and p.name in %(placements)s" if placements else ""
	frappe.db.sql(
		f"""insert into `tabAP Register Due`
			(name, placement, school, session, day, marked, creation, modified, owner, modified_by,
			docstatus, idx)
		select concat(p.name, '|', x.session), p.name, p.school, x.session, %(day)s,
			exists (select 1 from `tabAP Attendance` a
				where a.placement = p.name and a.attendance_date = %(day)s and a.session = x.session),
			%(now)s, %(now)s, 'Administrator', 'Administrator', 0, 0
		from `tabPlacement` p
		join (select 'AM' session union all select 'PM') x
		where p.status = 'Active' and p.start_date <= %(day)s {only}
			and exists (select 1 from `tabPlacement Session` s
				where s.parent = p.name and s.parenttype = 'Placement' and s.weekday = %(weekday)s
				and case x.session when 'AM' then s.covers_am else s.covers_pm end = 1)""",
		{"day": day, "weekday": day.strftime("%A"), "placements": tuple(placements or ()), "now": now},
	)

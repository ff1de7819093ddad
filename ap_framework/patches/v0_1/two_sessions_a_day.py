"""A school day is two register sessions. Timetable rows used to be labelled AM or PM by whether they
started before noon, so a 09:00–15:00 pupil was on the morning register only, a full-time week counted
five census sessions, and "Per Session" costing planned half the sessions.

Recompute, for every existing placement, the register sessions each timetable row covers
(rules.timetable.covers, with the session windows in AP Settings), the census sessions per week, and
the planned units and cost, and drop the rows' old one-session column. Nothing else changes: no modified
stamp moves, no status, no mark.

On ERPNext sites a placement whose planned cost changes then follows the commissioning order's own
amendment path (finance.commissioning: the open Purchase Order is cancelled and replaced by its
amendment for the units planned now), exactly as editing its timetable would."""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe.query_builder import Case, DocType

from ap_framework.finance import closed_dates, commissioning, enabled
from ap_framework.patches import drop_columns
from ap_framework.rules import costing, timetable
from ap_framework.settings import session_windows
from ap_framework.utils import to_date

CHUNK = 500


def execute():
	_settle_morning_end()
	covered = _recompute_rows(session_windows())
	changed_cost = _recompute_placements(covered)
	# the old one-session label would mislead anyone reading the table: a row can cover two sessions now
	drop_columns(
		"Placement Session", ["session"] if frappe.db.has_column("Placement Session", "session") else []
	)
	if enabled():
		_follow_amendment_path(changed_cost)


def _settle_morning_end():
	"""Sites that predate the setting get its default stored, so the desk form shows it as saved."""
	if not frappe.db.get_singles_dict("AP Settings").get("am_session_end"):
		frappe.db.set_single_value("AP Settings", "am_session_end", "12:00:00")


def _recompute_rows(windows) -> dict[str, list[tuple[str, int, int]]]:
	"""Each timetable row's sessions; returns (weekday, covers AM, covers PM) per row by placement."""
	s = DocType("Placement Session")
	rows = (
		frappe.qb.from_(s)
		.select(s.name, s.parent, s.weekday, s.start_time, s.end_time, s.covers_am, s.covers_pm)
		.where(s.parenttype == "Placement")
		.run(as_dict=True)
	)
	covered: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
	to_set: dict[tuple[int, int], list[str]] = defaultdict(list)
	for r in rows:
		slot = timetable.Slot(
			r.weekday, timetable.to_minutes(r.start_time) or 0, timetable.to_minutes(r.end_time) or 0
		)
		found = timetable.covers(slot, windows)
		am, pm = int("AM" in found), int("PM" in found)
		covered[r.parent].append((r.weekday, am, pm))
		if (am, pm) != (r.covers_am, r.covers_pm):
			to_set[(am, pm)].append(r.name)
	for (am, pm), names in to_set.items():
		for i in range(0, len(names), CHUNK):
			(
				frappe.qb.update(s)
				.set(s.covers_am, am)
				.set(s.covers_pm, pm)
				.where(s.name.isin(names[i : i + CHUNK]))
				.run()
			)
	return covered


def _recompute_placements(covered) -> list[str]:
	"""Census sessions and planned units / cost; returns the placements whose planned cost changed."""
	p = DocType("Placement")
	placements = (
		frappe.qb.from_(p)
		.select(
			p.name,
			p.census_sessions,
			p.charging_basis,
			p.rate,
			p.start_date,
			p.end_date,
			p.planned_end_date,
			p.planned_units,
			p.planned_cost,
		)
		.run(as_dict=True)
	)
	ends = [to_date(r.end_date or r.planned_end_date) for r in placements]
	starts = [to_date(r.start_date) for r in placements]
	closed = closed_dates(min(filter(None, starts), default=None), max(filter(None, ends), default=None))
	sessions, planned = {}, {}
	for r, start, end in zip(placements, starts, ends, strict=True):
		rows = covered.get(r.name, [])
		n = timetable.school_sessions_per_week(rows)
		if n != (r.census_sessions or 0):
			sessions[r.name] = n
		if r.charging_basis:
			plan = costing.timetabled_sessions(start, end, timetable.weekly_sessions(rows), closed)
			units, cost = costing.planned(r.charging_basis, r.rate, plan)
			if (units, cost) != (r.planned_units or 0, round(r.planned_cost or 0, 2)):
				planned[r.name] = (units, cost)
	_update_by_name(p, p.census_sessions, sessions)
	_update_by_name(p, p.planned_units, {k: v[0] for k, v in planned.items()})
	_update_by_name(p, p.planned_cost, {k: v[1] for k, v in planned.items()})
	return sorted(planned)


def _update_by_name(table, column, values: dict):
	"""One UPDATE … SET column = CASE name … per chunk, leaving `modified` as it was."""
	names = list(values)
	for i in range(0, len(names), CHUNK):
		chunk = names[i : i + CHUNK]
		case = Case()
		for name in chunk:
			case = case.when(table.name == name, values[name])
		frappe.qb.update(table).set(column, case).where(table.name.isin(chunk)).run()


def _follow_amendment_path(names: list[str]):
	for name in names:
		doc = frappe.get_doc("Placement", name)
		commissioning.on_placement_update(doc)

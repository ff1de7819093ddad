"""A provider's Purchase Invoice checked against the registers (AP Attendance) and the agreed terms.

Lines that name a placement (AP Placement, AP Period From / To on the invoice line) are checked:
  - bad input (a placement of another provider, a period outside the placement, a non-positive quantity
    or negative rate, two lines or two invoices for the same dates) refuses the invoice, nothing saved;
  - more charged than the registers and terms support holds it (ERPNext's own hold: no payment can be
    made), with the breakdown on the invoice for finance to read. Finance releases it with ERPNext's own
    action (untick "Hold Invoice", or "Unblock Invoice" once submitted); a released invoice is not held
    again unless its AP lines change.
Every reason is written on the invoice itself: nothing is blocked for a reason finance cannot see.
"""

from __future__ import annotations

import hashlib
import json

import frappe
from frappe import _
from frappe.utils import flt

from ap_framework.finance import closed_dates, enabled
from ap_framework.rules import costing, invoicing, timetable
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems

HOLD_PREFIX = "AP register check: "


def _lines(doc) -> list[invoicing.Line]:
	return [
		invoicing.Line(
			r.idx, r.ap_placement, to_date(r.ap_period_from), to_date(r.ap_period_to), flt(r.qty), flt(r.rate)
		)
		for r in doc.items
		if r.get("ap_placement")
	]


def before_validate(doc, method=None):
	"""Refuse bad AP lines before ERPNext's own checks, so the message names the line and what to fix."""
	if not enabled() or doc.get("is_return"):
		return
	lines = _lines(doc)
	if not lines:
		return
	names = sorted({ln.placement for ln in lines})
	terms = _terms(names)
	problems = invoicing.check_lines(lines, terms, doc.supplier, _invoiced(names, doc.name))
	throw_problems(doc, problems, title=_("This invoice does not match its placements"))


def validate(doc, method=None):
	"""Purchase Invoice validate (draft save and submit): hold it if it charges more than was delivered."""
	if not enabled() or doc.get("is_return"):
		return
	lines = _lines(doc)
	if not lines:
		if doc.get("ap_check_status"):
			_clear(doc)
		return
	terms = _terms(sorted({ln.placement for ln in lines}))
	if invoicing.check_lines(lines, terms, doc.supplier, ()):
		before_validate(doc)  # changed since (a validate hook of another app): refuse as above
	checks = _delivery(lines, terms)
	over = invoicing.total_over(checks)
	key = hashlib.sha1(json.dumps([ln.__dict__ for ln in lines], default=str).encode()).hexdigest()
	doc.ap_check_breakdown = invoicing.breakdown(checks, doc.currency)
	before = doc.get_doc_before_save()
	if over <= invoicing.TOLERANCE:
		if doc.ap_check_status == "Held" and doc.on_hold and (doc.hold_comment or "").startswith(HOLD_PREFIX):
			doc.on_hold, doc.hold_comment = 0, ""  # our own hold, no longer needed
		doc.ap_check_status = "Matched"
	elif doc.ap_check_key == key and (
		doc.ap_check_status == "Released"
		or (doc.ap_check_status == "Held" and before is not None and before.on_hold and not doc.on_hold)
	):
		# finance released the hold on these very lines: respect it
		if doc.ap_check_status != "Released":
			doc.ap_check_status, doc.ap_released_by = "Released", frappe.session.user
	else:
		doc.ap_check_status, doc.ap_released_by = "Held", None
		doc.on_hold, doc.release_date = 1, None
		doc.hold_comment = HOLD_PREFIX + _(
			"charges {0} {1} more than the registers and agreed terms support. See AP Register Check Breakdown."
		).format(doc.currency or "", f"{over:.2f}")
	doc.ap_check_key = key


def on_change(doc, method=None):
	"""A submitted invoice released with ERPNext's "Unblock Invoice" (which only sets on_hold): record it."""
	if enabled() and doc.docstatus == 1 and doc.get("ap_check_status") == "Held" and not doc.on_hold:
		doc.db_set(
			{"ap_check_status": "Released", "ap_released_by": frappe.session.user}, update_modified=False
		)


def _clear(doc):
	if doc.on_hold and (doc.hold_comment or "").startswith(HOLD_PREFIX):
		doc.on_hold, doc.hold_comment = 0, ""
	doc.ap_check_status = doc.ap_check_breakdown = doc.ap_check_key = doc.ap_released_by = None


def _terms(names: list[str]) -> dict[str, invoicing.Terms]:
	p, prov = frappe.qb.DocType("Placement"), frappe.qb.DocType("AP Provider")
	rows = (
		frappe.qb.from_(p)
		.left_join(prov)
		.on(prov.name == p.provider)
		.select(
			p.name,
			p.provider,
			prov.supplier,
			p.start_date,
			p.end_date,
			p.planned_end_date,
			p.charging_basis,
			p.rate,
			p.chargeable_absences,
		)
		.where(p.name.isin(names))
		.run(as_dict=True)
	)
	return {
		r.name: invoicing.Terms(
			placement=r.name,
			provider=r.provider,
			supplier=r.supplier,
			start=to_date(r.start_date),
			end=to_date(r.end_date or r.planned_end_date),
			basis=r.charging_basis,
			rate=flt(r.rate),
			chargeable_absences=r.chargeable_absences or "None",
		)
		for r in rows
	}


def _invoiced(names: list[str], this_invoice: str | None) -> list[invoicing.Invoiced]:
	"""Periods of these placements on other submitted invoices (returns excepted)."""
	pi, item = frappe.qb.DocType("Purchase Invoice"), frappe.qb.DocType("Purchase Invoice Item")
	rows = (
		frappe.qb.from_(item)
		.join(pi)
		.on(pi.name == item.parent)
		.select(item.ap_placement, item.ap_period_from, item.ap_period_to, pi.name)
		.where(
			item.ap_placement.isin(names)
			& (pi.docstatus == 1)
			& (pi.is_return == 0)
			& (pi.name != (this_invoice or ""))
			& item.ap_period_from.isnotnull()
			& item.ap_period_to.isnotnull()
		)
		.run()
	)
	return [invoicing.Invoiced(r[0], to_date(r[1]), to_date(r[2]), r[3]) for r in rows]


def _delivery(lines: list[invoicing.Line], terms: dict) -> list[invoicing.LineCheck]:
	"""Every line against its placement's timetable and register: three queries for the whole invoice."""
	names = sorted({ln.placement for ln in lines})
	start, end = min(ln.period_from for ln in lines), max(ln.period_to for ln in lines)
	a = frappe.qb.DocType("AP Attendance")
	marks: dict[str, list] = {}
	for r in (
		frappe.qb.from_(a)
		.select(a.placement, a.attendance_date, a.session, a.mark)
		.where(a.placement.isin(names) & a.attendance_date.between(start, end))
		.run()
	):
		marks.setdefault(r[0], []).append((to_date(r[1]), r[2], r[3]))
	covered: dict[str, list] = {}
	for r in frappe.get_all(
		"Placement Session",
		filters={"parent": ("in", names), "parenttype": "Placement"},
		fields=["parent", "weekday", "covers_am", "covers_pm"],
	):
		covered.setdefault(r.parent, []).append((r.weekday, r.covers_am, r.covers_pm))
	weekly = {name: timetable.weekly_sessions(rows) for name, rows in covered.items()}
	closed = closed_dates(start, end)
	checks = []
	for ln in lines:
		t = terms[ln.placement]
		period_start, period_end = max(ln.period_from, t.start), min(ln.period_to, t.end)
		timetabled = costing.timetabled_sessions(
			period_start, period_end, weekly.get(ln.placement, []), closed
		)
		checks.append(invoicing.check_delivery(ln, t, timetabled, marks.get(ln.placement, [])))
	return checks

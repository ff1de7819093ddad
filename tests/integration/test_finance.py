"""Paying for AP through ERPNext, in a real site.

Costing works on every site. The rest needs ERPNext: on a site without it those tests skip with a
one-line reason, and test_without_erpnext_* prove the app adds nothing there. Every figure a test
expects is counted by the test itself from dates and rates, not read back from the code under test.
"""

from __future__ import annotations

from datetime import date, timedelta

import frappe
import pytest
from frappe.utils import flt, getdate, today

from ap_framework import exceptions as ex
from ap_framework import finance
from ap_framework.finance import setup as finance_setup
from tests.conftest import SITE

RATE, DAY_RATE = 40.0, 90.0
TIMETABLE = [
	{"weekday": d, "start_time": start, "end_time": end}
	for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
	for start, end in (("09:00:00", "12:00:00"), ("13:00:00", "15:30:00"))
]
# the register for the second week: (weekday, session, mark); Friday afternoon is never marked
WEEK_MARKS = [
	(0, "AM", "I"),
	(0, "PM", "\\"),
	(1, "AM", "/"),
	(1, "PM", "N"),
	(2, "AM", "O"),
	(2, "PM", "\\"),
	(3, "AM", "/"),
	(3, "PM", "Y1"),
	(4, "AM", "/"),
]
ATTENDED = 5  # Mon PM, Tue AM, Wed PM, Thu AM, Fri AM
# a full school day in one slot: on the morning and the afternoon register (rules.timetable.covers)
FULL_DAY = [
	{"weekday": d, "start_time": "09:00:00", "end_time": "15:00:00"}
	for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
]


def monday(weeks_ago: int) -> date:
	d = getdate(today())
	return d - timedelta(days=d.weekday() + 7 * weeks_ago)


def weekday_sessions(start: date, end: date) -> int:
	"""Counted here, independently: two sessions every weekday from start to end, less holidays."""
	holiday_list = finance.enabled() and frappe.db.get_value(
		"Company", finance.company(), "default_holiday_list"
	)
	holidays = set(
		frappe.get_all(
			"Holiday",
			filters={"parent": holiday_list, "holiday_date": ("between", [start, end])},
			pluck="holiday_date",
		)
		if holiday_list
		else []
	)
	days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
	return 2 * sum(1 for d in days if d.weekday() < 5 and d not in holidays)


@pytest.fixture
def erp(world):
	if not finance.enabled():
		pytest.skip(f"finance tests skipped: ERPNext is not installed on {SITE}")
	company = finance.company()
	cc = frappe.db.get_value("Company", company, "cost_center")
	frappe.db.set_value(
		"AP Provider",
		world.p1,
		{
			"cost_per_session": RATE,
			"cost_per_day": DAY_RATE,
			"vat_number": f"GB{world.token}1",
			"address_line1": "1 High Street",
			"town": "Leeds",
			"postcode": "LS1 1AA",
		},
	)
	frappe.db.set_value("AP Provider", world.p2, {"cost_per_session": RATE, "cost_per_day": DAY_RATE})
	frappe.db.set_value("School", world.school_a, "cost_center", cc)
	return frappe._dict(
		company=company, cc=cc, currency=frappe.db.get_value("Company", company, "default_currency")
	)


def costed(world, provider=None, state="Approved", basis="Per Session", funding=(), timetable=None, **kw):
	"""A placement of a new school A pupil, 12 weeks from the Monday six weeks ago, two sessions a day."""
	start = monday(6)
	doc = world.placement_doc(
		world.pupil(world.school_a),
		provider or world.p1,
		start=start,
		planned_end_date=start + timedelta(days=83),
		timetable=timetable or TIMETABLE,
		charging_basis=basis,
		funding=[{"funding_source": s, "percentage": p} for s, p in funding],
		**kw,
	)
	return world.advance(doc.insert(), state)


def mark_week(placement, week_start: date):
	for day, session, mark in WEEK_MARKS:
		frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": placement,
				"attendance_date": week_start + timedelta(days=day),
				"session": session,
				"mark": mark,
			}
		).insert()


def order(placement) -> frappe._dict:
	name = frappe.db.get_value("Placement", placement, "purchase_order")
	return frappe.get_doc("Purchase Order", name) if name else None


def invoice(erp, supplier, lines, submit=False, item="AP Session"):
	pi = frappe.get_doc(
		{
			"doctype": "Purchase Invoice",
			"supplier": supplier,
			"company": erp.company,
			"posting_date": today(),
			"bill_no": frappe.generate_hash(length=10),
			"items": [
				{
					"item_code": item,
					"qty": qty,
					"rate": rate,
					"ap_placement": placement,
					"ap_period_from": start,
					"ap_period_to": end,
				}
				for placement, start, end, qty, rate in lines
			],
		}
	)
	pi.insert()
	if submit:
		pi.submit()
	return pi


def pay(pi):
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry  # ERPNext sites only

	pe = get_payment_entry("Purchase Invoice", pi.name)
	if not pe.references:  # ERPNext leaves a held invoice out; name it, as a user could
		pi.reload()
		pe.append(
			"references",
			{
				"reference_doctype": "Purchase Invoice",
				"reference_name": pi.name,
				"total_amount": pi.grand_total,
				"outstanding_amount": pi.outstanding_amount,
				"allocated_amount": pi.outstanding_amount,
			},
		)
	pe.reference_no, pe.reference_date = "AP-TEST", today()
	pe.insert()
	pe.submit()
	return pe


# ---- costing: every site ------------------------------------------------------------------------
def test_costing_derives_rate_planned_units_and_cost(world):
	frappe.db.set_value("AP Provider", world.p1, {"cost_per_session": RATE, "cost_per_week": 180})
	doc = costed(world, state="Draft")
	planned = weekday_sessions(monday(6), monday(6) + timedelta(days=83))
	assert (doc.rate, doc.planned_units, doc.planned_cost) == (RATE, planned, planned * RATE)
	doc.charging_basis = "Per Week"
	doc.save()
	assert (doc.rate, doc.planned_units, doc.planned_cost) == (180, 12, 12 * 180)
	doc.rate_source, doc.agreed_cost = "Agreed Rate", 200
	doc.save()
	assert (doc.rate, doc.planned_cost) == (200, 12 * 200)


def test_a_full_school_day_in_one_slot_is_costed_as_two_sessions(world):
	frappe.db.set_value("AP Provider", world.p1, "cost_per_session", RATE)
	doc = costed(world, state="Draft", timetable=FULL_DAY)
	planned = weekday_sessions(monday(6), monday(6) + timedelta(days=83))
	assert (doc.planned_units, doc.planned_cost) == (planned, planned * RATE)


def test_costing_problems_are_refused_with_their_fields(world):
	frappe.db.set_value("AP Provider", world.p1, "cost_per_session", RATE)
	doc = costed(world, state="Draft")
	doc.set(
		"funding",
		[
			{"funding_source": "School Budget", "percentage": 40},
			{"funding_source": "Other", "percentage": 50},
		],
	)
	with pytest.raises(ex.CostingError, match="add up to 90%"):
		doc.save()
	doc.reload()
	doc.charging_basis, doc.rate_source, doc.agreed_cost = "Fixed", "Provider Rate", None
	with pytest.raises(ex.CostingError, match="fixed fee needs the agreed fee"):
		doc.save()


def test_without_erpnext_nothing_is_added(world):
	if finance.enabled():
		pytest.skip("ERPNext is installed on this site: the plain-site checks do not apply")
	assert not frappe.db.exists("Custom Field", {"dt": ("in", list(finance_setup.CUSTOM_FIELDS))})
	assert not frappe.get_meta("Placement").get_field("purchase_order")
	frappe.db.set_value("AP Provider", world.p1, "cost_per_session", RATE)
	doc = costed(world, state="Active")  # approved and started: no order, no error
	assert doc.status == "Active" and doc.planned_cost > 0
	from frappe.desk.query_report import run

	result = run("AP Spend", filters={"group_by": "Provider"})
	assert result["result"] == [] and "ERPNext" in result["message"]


def test_the_companys_holidays_are_left_out_of_the_plan(world, erp):
	start = monday(6)
	holidays = frappe.get_doc(
		{
			"doctype": "Holiday List",
			"holiday_list_name": f"AP test {world.token}",
			"from_date": start - timedelta(days=30),
			"to_date": start + timedelta(days=120),
			"holidays": [{"holiday_date": start + timedelta(days=8), "description": "Training day"}],
		}
	).insert()
	frappe.db.set_value("Company", erp.company, "default_holiday_list", holidays.name)
	doc = costed(world, state="Draft")
	assert doc.planned_units == 12 * 10 - 2  # twelve weeks of ten sessions, less one Tuesday's two


# ---- suppliers ----------------------------------------------------------------------------------
def test_approval_creates_the_supplier_and_the_order(world, erp):
	doc = costed(world, state="Pending Approval")
	from frappe.model.workflow import apply_workflow

	# a senior leader approves: they may approve, not buy; the order follows their approval
	frappe.set_user(world.users["senior_a"])
	assert not frappe.has_permission("Purchase Order", "create")
	apply_workflow(frappe.get_doc("Placement", doc.name), "Approve")
	frappe.set_user("Administrator")

	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	s = frappe.get_doc("Supplier", supplier)
	assert (s.supplier_name, s.supplier_group, s.tax_id) == (
		world.p1,
		"Alternative Provision",
		f"GB{world.token}1",
	)
	address = frappe.get_doc("Address", frappe.db.get_value("AP Provider", world.p1, "supplier_address"))
	assert (address.address_line1, address.city, address.pincode) == ("1 High Street", "Leeds", "LS1 1AA")
	assert address.links[0].link_doctype == "Supplier" and address.links[0].link_name == supplier

	po = order(doc.name)
	planned = weekday_sessions(monday(6), monday(6) + timedelta(days=83))
	assert (po.docstatus, po.supplier, po.company) == (1, supplier, erp.company)
	[line] = po.items
	assert (line.item_code, line.qty, line.rate, line.ap_placement) == ("AP Session", planned, RATE, doc.name)
	assert (line.ap_funding_source, line.cost_center) == ("School Budget", erp.cc)
	assert flt(po.net_total) == planned * RATE


def test_an_existing_supplier_is_linked_not_duplicated(world, erp):
	existing = frappe.get_doc(
		{
			"doctype": "Supplier",
			"supplier_name": world.p2,
			"supplier_group": "Services",
			"supplier_type": "Company",
		}
	).insert()
	doc = costed(world, provider=world.p2)
	assert frappe.db.get_value("AP Provider", world.p2, "supplier") == existing.name
	assert frappe.db.count("Supplier", {"supplier_name": world.p2}) == 1
	assert order(doc.name).supplier == existing.name
	# the group finance chose stays
	assert frappe.db.get_value("Supplier", existing.name, "supplier_group") == "Services"


def test_the_supplier_follows_the_provider_one_way(world, erp):
	costed(world)  # links p1 to a new supplier
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	# finance's own details on the supplier
	frappe.db.set_value("Supplier", supplier, {"supplier_details": "Pay by BACS", "tax_id": "GB-FINANCE"})
	provider = frappe.get_doc("AP Provider", world.p1)
	provider.update({"vat_number": "", "town": "York", "website": "https://p1.example.org"})
	provider.save()
	s = frappe.get_doc("Supplier", supplier)
	assert s.supplier_details == "Pay by BACS"  # never overwritten
	assert s.tax_id == "GB-FINANCE"  # the provider has none now: finance's value is not cleared
	assert s.website == "https://p1.example.org"
	assert frappe.db.get_value("Address", provider.supplier_address, "city") == "York"
	provider.vat_number = "GB777"
	provider.save()
	assert frappe.db.get_value("Supplier", supplier, "tax_id") == "GB777"


# ---- the commissioning order --------------------------------------------------------------------
def test_order_split_by_funder_to_cost_centres(world, erp):
	la = frappe.get_doc(
		{
			"doctype": "Cost Center",
			"cost_center_name": f"LA High Needs {world.token}",
			"parent_cost_center": frappe.db.get_value("Cost Center", {"company": erp.company, "is_group": 1}),
			"company": erp.company,
		}
	).insert()
	frappe.db.set_single_value("AP Settings", "la_cost_center", la.name)
	doc = costed(world, funding=[("School Budget", 60), ("LA High Needs", 40)])
	planned = weekday_sessions(monday(6), monday(6) + timedelta(days=83))
	lines = {r.ap_funding_source: r for r in order(doc.name).items}
	assert (lines["School Budget"].qty, lines["School Budget"].rate, lines["School Budget"].cost_center) == (
		planned,
		24.0,
		erp.cc,
	)
	assert (lines["LA High Needs"].qty, lines["LA High Needs"].rate, lines["LA High Needs"].cost_center) == (
		planned,
		16.0,
		la.name,
	)


def test_order_is_amended_when_the_timetable_or_dates_change_and_only_then(world, erp):
	doc = costed(world, state="Active")
	first = order(doc.name)
	doc.reload()
	doc.save()  # nothing changed
	assert order(doc.name).name == first.name

	doc.set("timetable", [r for r in doc.timetable if r.weekday != "Friday"])
	doc.part_time_justification, doc.part_time_review_date = "Phased", monday(6) + timedelta(days=28)
	doc.save()
	second = order(doc.name)
	assert frappe.db.get_value("Purchase Order", first.name, "docstatus") == 2
	assert (second.amended_from, second.docstatus) == (first.name, 1)
	start, end = monday(6), monday(6) + timedelta(days=83)
	fridays = sum(1 for i in range(84) if (start + timedelta(days=i)).weekday() == 4)
	assert second.items[0].qty == weekday_sessions(start, end) - 2 * fridays

	doc.reload()
	doc.planned_end_date = start + timedelta(days=55)  # eight weeks, not twelve
	doc.save()
	third = order(doc.name)
	assert third.amended_from == second.name and third.items[0].qty == 8 * 8


def test_order_is_closed_when_the_placement_ends(world, erp):
	doc = costed(world, state="Active")
	doc.end_date, doc.end_outcome = today(), "Reintegrated to Home School"
	doc.save()
	from frappe.model.workflow import apply_workflow

	doc = apply_workflow(frappe.get_doc("Placement", doc.name), "End")
	po = order(doc.name)
	assert po.status == "Closed"
	assert po.items[0].qty == weekday_sessions(monday(6), getdate(today()))  # up to the end date


# ---- the invoice check --------------------------------------------------------------------------
def test_an_invoice_the_register_supports_is_matched_and_can_be_paid(world, erp):
	doc = costed(world, state="Active")
	week = monday(5)
	mark_week(doc.name, week)
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	pi = invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), ATTENDED, RATE)], submit=True)
	assert (pi.ap_check_status, pi.on_hold) == ("Matched", 0)
	assert "Matches." in pi.ap_check_breakdown
	pay(pi)
	assert flt(frappe.db.get_value("Purchase Invoice", pi.name, "outstanding_amount")) == 0


def test_an_invoice_charging_more_than_delivered_is_held_with_its_breakdown_then_released(world, erp):
	doc = costed(world, state="Active")
	week = monday(5)
	mark_week(doc.name, week)
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	pi = invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), 10, RATE)], submit=True)
	assert (pi.ap_check_status, pi.on_hold) == ("Held", 1)
	over = (10 - ATTENDED) * RATE
	assert f"{over:.2f}" in pi.hold_comment
	assert (
		"10 sessions timetabled, 5 attended, 0 chargeable absences, 4 other absences, 1 not marked"
		in pi.ap_check_breakdown
	)
	assert f"Over by {erp.currency} {over:.2f}" in pi.ap_check_breakdown
	with pytest.raises(frappe.ValidationError, match="on hold"):
		pay(pi)

	frappe.get_doc("Purchase Invoice", pi.name).unblock_invoice()  # finance's own release
	pi.reload()
	assert (pi.ap_check_status, pi.ap_released_by, pi.on_hold) == ("Released", "Administrator", 0)
	pay(pi)


def test_ten_sessions_a_week_for_a_full_day_pupil_is_not_over_charging(world, erp):
	doc = costed(world, state="Active", timetable=FULL_DAY)
	week = monday(5)
	for day in range(5):
		for session, mark in (("AM", "/"), ("PM", "\\")):
			frappe.get_doc(
				{
					"doctype": "AP Attendance",
					"placement": doc.name,
					"attendance_date": week + timedelta(days=day),
					"session": session,
					"mark": mark,
				}
			).insert()
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	pi = invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), 10, RATE)], submit=True)
	assert (pi.ap_check_status, pi.on_hold) == ("Matched", 0), pi.ap_check_breakdown
	assert "10 sessions timetabled, 10 attended" in pi.ap_check_breakdown


def test_the_two_sessions_patch_amends_an_order_whose_planned_cost_changes(world, erp):
	from ap_framework.finance import commissioning
	from ap_framework.patches.v0_1 import two_sessions_a_day

	doc = costed(world, state="Active", timetable=FULL_DAY)
	full = doc.planned_units
	modified = frappe.db.get_value("Placement", doc.name, "modified")
	# as an earlier version planned it: each 09:00-15:00 row on the morning register only, half the
	# sessions, and the order to match
	frappe.db.sql("update `tabPlacement Session` set covers_pm = 0 where parent = %s", doc.name)
	frappe.db.set_value(
		"Placement",
		doc.name,
		{"planned_units": full // 2, "planned_cost": full // 2 * RATE},
		update_modified=False,
	)
	commissioning.on_placement_update(frappe.get_doc("Placement", doc.name))
	stale = order(doc.name)
	assert stale.items[0].qty == full // 2

	two_sessions_a_day.execute()
	amended = order(doc.name)
	assert (amended.amended_from, amended.docstatus, amended.items[0].qty) == (stale.name, 1, full)
	assert frappe.db.get_value("Purchase Order", stale.name, "docstatus") == 2
	assert frappe.db.get_value("Placement", doc.name, ["planned_units", "modified"]) == (full, modified)
	two_sessions_a_day.execute()  # a second run finds nothing to change
	assert order(doc.name).name == amended.name


def test_a_draft_release_is_respected_until_the_lines_change(world, erp):
	doc = costed(world, state="Active")
	week = monday(5)
	mark_week(doc.name, week)
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	pi = invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), 6, RATE)])
	assert (pi.ap_check_status, pi.on_hold) == ("Held", 1)
	pi.on_hold = 0
	pi.save()
	assert (pi.ap_check_status, pi.on_hold) == ("Released", 0)
	pi.save()
	assert (pi.ap_check_status, pi.on_hold) == ("Released", 0)
	pi.items[0].qty = 7
	pi.save()
	assert (pi.ap_check_status, pi.on_hold) == ("Held", 1)
	pi.items[0].qty = ATTENDED
	pi.save()
	assert (pi.ap_check_status, pi.on_hold) == ("Matched", 0)


@pytest.mark.parametrize("terms,chargeable", [("None", 5), ("Unauthorised", 7), ("All", 8)])
def test_chargeable_absences_follow_the_agreed_terms(world, erp, terms, chargeable):
	doc = costed(world, state="Active", chargeable_absences=terms)
	week = monday(5)
	mark_week(doc.name, week)
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	fits = invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), chargeable, RATE)])
	assert fits.ap_check_status == "Matched"
	fits.delete()
	over = invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), chargeable + 1, RATE)])
	assert over.ap_check_status == "Held"


def test_a_higher_rate_than_agreed_is_held(world, erp):
	doc = costed(world, state="Active")
	week = monday(5)
	mark_week(doc.name, week)
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	pi = invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), ATTENDED, RATE + 5)])
	assert pi.ap_check_status == "Held" and f"{ATTENDED * 5:.2f}" in pi.hold_comment


BAD = {
	"another provider's placement": ("other", 0, 4, 5, RATE, "is with"),
	"a period before the placement": ("own", -14, -10, 5, RATE, "is outside placement"),
	"a period after the placement": ("own", 84, 88, 5, RATE, "is outside placement"),
	"a negative quantity": ("own", 7, 11, -5, RATE, "must be more than zero"),
	"a negative rate": ("own", 7, 11, 5, -RATE, "must be more than zero"),
	"duplicate lines": ("dup", 7, 11, 5, RATE, "over the same dates"),
	"a period already invoiced": ("again", 7, 11, 5, RATE, "already invoiced"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_and_nothing_is_posted(world, erp, case):
	which, from_day, to_day, qty, rate, message = BAD[case]
	own = costed(world, state="Active")
	other = costed(world, provider=world.p2, state="Active")
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	start = monday(6)
	placement = other.name if which == "other" else own.name
	lines = [(placement, start + timedelta(days=from_day), start + timedelta(days=to_day), qty, rate)]
	if which == "dup":
		lines.append(
			(own.name, start + timedelta(days=from_day + 2), start + timedelta(days=to_day), 1, rate)
		)
	if which == "again":
		invoice(
			erp,
			supplier,
			[(own.name, start + timedelta(days=9), start + timedelta(days=15), 1, RATE)],
			submit=True,
		)
	before = frappe.db.count("Purchase Invoice"), frappe.db.count("GL Entry")
	with pytest.raises(ex.InvoiceCheckError, match=message):
		invoice(erp, supplier, lines, submit=True)
	assert (frappe.db.count("Purchase Invoice"), frappe.db.count("GL Entry")) == before


# ---- reports ------------------------------------------------------------------------------------
def run_report(name, user, **filters):
	from frappe.desk.query_report import run

	frappe.set_user(user)
	try:
		return [r for r in run(name, filters=filters)["result"] if isinstance(r, dict)]  # not the total row
	finally:
		frappe.set_user("Administrator")


def test_spend_reports_add_up(world, erp):
	"""Two placements at school A: p1 per session, split 60/40 with the LA; p2 per day, school budget."""
	a = costed(world, state="Active", funding=[("School Budget", 60), ("LA High Needs", 40)])
	b = costed(world, provider=world.p2, state="Active", basis="Per Day")
	week = monday(5)
	mark_week(a.name, week)
	for day in range(3):  # b attended Monday to Wednesday mornings
		frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": b.name,
				"attendance_date": week + timedelta(days=day),
				"session": "AM",
				"mark": "/",
			}
		).insert()
	s1 = frappe.db.get_value("AP Provider", world.p1, "supplier")
	s2 = frappe.db.get_value("AP Provider", world.p2, "supplier")
	inv_a = invoice(erp, s1, [(a.name, week, week + timedelta(days=4), ATTENDED, RATE)], submit=True)
	pay(inv_a)
	invoice(erp, s2, [(b.name, week, week + timedelta(days=4), 3, DAY_RATE)], submit=True, item="AP Day")

	sessions = weekday_sessions(monday(6), monday(6) + timedelta(days=83))
	days = sessions // 2
	committed_a, committed_b = sessions * RATE, days * DAY_RATE
	invoiced_a, invoiced_b = ATTENDED * RATE, 3 * DAY_RATE

	admin = world.users["admin"]
	rows = {r["grp"]: r for r in run_report("AP Spend", admin, group_by="Provider", school=world.school_a)}
	assert set(rows) == {world.p1, world.p2}
	p1, p2 = rows[world.p1], rows[world.p2]
	assert (p1["committed"], p1["invoiced"], p1["paid"], p1["held"]) == (
		committed_a,
		invoiced_a,
		invoiced_a,
		0,
	)
	assert (p1["pupils"], p1["attended"], p1["cost_per_pupil"], p1["cost_per_session"]) == (
		1,
		ATTENDED,
		invoiced_a,
		RATE,
	)
	assert (p2["committed"], p2["invoiced"], p2["paid"], p2["attended"]) == (committed_b, invoiced_b, 0, 3)

	rows = {
		r["grp"]: r for r in run_report("AP Spend", admin, group_by="Funding Source", school=world.school_a)
	}
	sb, la = rows["School Budget"], rows["LA High Needs"]
	assert (sb["committed"], la["committed"]) == (sessions * 24 + committed_b, sessions * 16)
	assert (sb["invoiced"], la["invoiced"]) == (invoiced_a * 0.6 + invoiced_b, invoiced_a * 0.4)
	assert (sb["paid"], la["paid"]) == (invoiced_a * 0.6, invoiced_a * 0.4)
	assert (sb["attended"], la["attended"]) == (ATTENDED * 0.6 + 3, ATTENDED * 0.4)

	rows = {r["grp"]: r for r in run_report("AP Spend", admin, group_by="Reason", school=world.school_a)}
	assert rows["BEH"]["invoiced"] == invoiced_a + invoiced_b and rows["BEH"]["pupils"] == 2
	rows = {r["grp"]: r for r in run_report("AP Spend", admin, group_by="School", provider=world.p1)}
	assert rows[world.school_a]["committed"] == committed_a

	# the other school's lead sees none of it
	assert run_report("AP Spend", world.users["ap_lead_b"], group_by="Provider", school=world.school_a) == []


def test_value_for_money_puts_cost_beside_outcomes(world, erp):
	doc = costed(world, state="Active")
	week = monday(5)
	mark_week(doc.name, week)
	for when, baseline, scores in (
		(monday(6), 1, {"Resilience": 2, "Communication": 3}),
		(week + timedelta(days=4), 0, {"Resilience": 4, "Communication": 2}),
	):
		frappe.get_doc(
			{
				"doctype": "Domain Assessment",
				"placement": doc.name,
				"pupil": doc.pupil,
				"assessment_date": when,
				"is_baseline": baseline,
				"scores": [{"domain": d, "score": s} for d, s in scores.items()],
			}
		).submit()
	supplier = frappe.db.get_value("AP Provider", world.p1, "supplier")
	invoice(erp, supplier, [(doc.name, week, week + timedelta(days=4), ATTENDED, RATE)], submit=True)
	doc.reload()
	doc.end_date, doc.end_outcome = today(), "Reintegrated to Home School"
	doc.save()
	from frappe.model.workflow import apply_workflow

	apply_workflow(frappe.get_doc("Placement", doc.name), "End")
	rows = {
		r["grp"]: r for r in run_report("AP Value for Money", world.users["admin"], school=world.school_a)
	}
	r = rows[world.p1]
	assert (r["placements"], r["invoiced"], r["attended"], r["cost_per_session"]) == (1, 200, 5, 40)
	assert (r["assessed"], r["domain_change"]) == (1, 0.5)  # Resilience +2, Communication -1
	assert (r["ended"], r["reintegrated"], r["reintegration_rate"], r["cost_per_reintegration"]) == (
		1,
		1,
		100,
		200,
	)

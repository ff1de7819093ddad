"""Costing, invoice checks, supplier sync and unit costs: pure rules, no Frappe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ap_framework.rules import costing, invoicing, spend, suppliers
from ap_framework.rules.costing import Costing, Funding

MON = date(2026, 1, 5)  # a Monday
WEEKDAYS_AM = [(d, "AM") for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]


def kinds(problems):
	return [(p.field, p.kind) for p in problems]


# ---- costing ------------------------------------------------------------------------------------
def test_timetabled_sessions_counts_each_session_once_and_skips_closed_dates():
	weekly = [*WEEKDAYS_AM, ("Monday", "AM"), ("Monday", "PM")]  # two Monday-morning slots: one session
	sessions = costing.timetabled_sessions(
		MON, MON + timedelta(days=13), weekly, closed={MON + timedelta(days=7)}
	)
	assert len(sessions) == 2 * 6 - 2  # two weeks of 5 AM + Monday PM, less the closed Monday's two
	assert (MON, "PM") in sessions and (MON + timedelta(days=7), "AM") not in sessions
	assert costing.timetabled_sessions(MON, MON - timedelta(days=1), weekly) == []
	assert costing.timetabled_sessions(None, MON, weekly) == []


@pytest.mark.parametrize(
	"basis,expected",
	[("Per Session", 14), ("Per Day", 10), ("Per Week", 2), ("Per Term", 1), ("Fixed", 1), (None, 0)],
)
def test_units_per_basis(basis, expected):
	weekly = [*WEEKDAYS_AM, ("Monday", "PM"), ("Friday", "PM")]
	sessions = costing.timetabled_sessions(MON, MON + timedelta(days=13), weekly)
	assert costing.units(basis, sessions) == expected


def test_terms_split_the_school_year_in_three():
	assert costing.term_of(date(2025, 9, 1)) == (2025, "Autumn")
	assert costing.term_of(date(2025, 12, 31)) == (2025, "Autumn")
	assert costing.term_of(date(2026, 1, 5)) == (2025, "Spring")
	assert costing.term_of(date(2026, 4, 20)) == (2025, "Summer")
	sessions = [(date(2025, 12, 15), "AM"), (date(2026, 1, 6), "AM"), (date(2026, 4, 14), "AM")]
	assert costing.units("Per Term", sessions) == 3


def test_rate_comes_from_the_provider_or_the_agreement():
	assert costing.effective_rate(Costing("Per Session", "Provider Rate", 45, 50)) == 45
	assert costing.effective_rate(Costing("Per Session", "Agreed Rate", 45, 50)) == 50
	assert costing.effective_rate(Costing("Fixed", "Provider Rate", 45, 3000)) == 3000
	assert costing.effective_rate(Costing(None, "Provider Rate", 45, 50)) is None


def test_costing_problems_name_their_fields():
	assert costing.check(Costing(None, None, None, None)) == []
	assert costing.check(Costing("Per Session", "Provider Rate", 45, None)) == []
	assert kinds(costing.check(Costing("Per Week", "Provider Rate", None, None))) == [
		("rate_source", "costing")
	]
	assert kinds(costing.check(Costing("Per Week", "Agreed Rate", 45, None))) == [("agreed_cost", "costing")]
	assert kinds(costing.check(Costing("Fixed", "Provider Rate", 45, None))) == [("agreed_cost", "costing")]
	assert kinds(costing.check(Costing("Per Day", "Agreed Rate", None, -5))) == [("agreed_cost", "costing")]
	assert kinds(costing.check(Costing("Yearly", None, None, None))) == [("charging_basis", "costing")]
	assert kinds(costing.check(Costing(None, None, None, None, (Funding("Other", 100, 1),)))) == [
		("charging_basis", "costing")
	]


def test_funding_shares_must_add_up_to_100_with_no_funder_twice():
	ok = (Funding("School Budget", 40, 1), Funding("LA High Needs", 60, 2))
	assert costing.check(Costing("Per Day", "Provider Rate", 90, None, ok)) == []
	short = (Funding("School Budget", 40, 1), Funding("LA High Needs", 50, 2))
	problems = costing.check(Costing("Per Day", "Provider Rate", 90, None, short))
	assert [p.render() for p in problems] == ["The funding shares add up to 90%, not 100%"]
	twice = (Funding("School Budget", 50, 1), Funding("School Budget", 50, 2))
	assert "named twice" in costing.check(Costing("Per Day", "Provider Rate", 90, None, twice))[0].render()
	zero = (Funding("School Budget", 100, 1), Funding("Other", 0, 2))
	assert any(
		"more than 0%" in p.render()
		for p in costing.check(Costing("Per Day", "Provider Rate", 9, None, zero))
	)
	bad = (Funding("Lottery", 100, 1),)
	assert (
		"not a funding source" in costing.check(Costing("Per Day", "Provider Rate", 9, None, bad))[0].render()
	)


def test_planned_cost_and_order_lines_per_funder():
	sessions = costing.timetabled_sessions(MON, MON + timedelta(days=27), WEEKDAYS_AM)
	assert costing.planned("Per Week", 250, sessions) == (4, 1000.0)
	lines = costing.order_lines(4, 250, [Funding("School Budget", 40, 1), Funding("LA High Needs", 60, 2)])
	assert lines == [
		costing.OrderLine("School Budget", 4.0, 100.0),
		costing.OrderLine("LA High Needs", 4.0, 150.0),
	]
	assert costing.order_lines(4, 250, []) == [costing.OrderLine("School Budget", 4.0, 250.0)]
	assert costing.order_lines(0, 250, []) == [] and costing.order_lines(3, None, []) == []


def test_split_adds_up_to_the_penny():
	parts = costing.split(100, [33.33, 33.33, 33.34])
	assert sum(parts) == pytest.approx(100) and parts == [33.33, 33.33, 33.34]
	assert sum(costing.split(10, [1, 1, 1])) == pytest.approx(10)
	assert costing.split(5, []) == []


# ---- invoice lines: refused ---------------------------------------------------------------------
TERMS = {
	"P1": invoicing.Terms("P1", "Prov One", "SUP-1", MON, MON + timedelta(days=90), "Per Session", 40.0),
	"P2": invoicing.Terms("P2", "Prov Two", "SUP-2", MON, MON + timedelta(days=90), "Per Session", 40.0),
	"P3": invoicing.Terms("P3", "Prov One", "SUP-1", MON, MON + timedelta(days=90), None, None),
}


def line(row=1, placement="P1", start=MON, end=MON + timedelta(days=4), qty=5, rate=40):
	return invoicing.Line(row, placement, start, end, qty, rate)


def messages(problems):
	return [p.render() for p in problems]


def test_a_well_formed_invoice_passes():
	lines = [line(), line(2, start=MON + timedelta(days=7), end=MON + timedelta(days=11))]
	assert invoicing.check_lines(lines, TERMS, "SUP-1") == []


def test_a_placement_of_another_provider_is_refused():
	assert messages(invoicing.check_lines([line(placement="P2")], TERMS, "SUP-1")) == [
		"Row 1: placement P2 is with Prov Two, not with supplier SUP-1"
	]
	assert "does not exist" in messages(invoicing.check_lines([line(placement="PX")], TERMS, "SUP-1"))[0]
	assert "no charging basis" in messages(invoicing.check_lines([line(placement="P3")], TERMS, "SUP-1"))[0]


def test_a_period_outside_the_placement_or_back_to_front_or_missing_is_refused():
	early = line(start=MON - timedelta(days=7), end=MON - timedelta(days=3))
	assert "is outside placement P1" in messages(invoicing.check_lines([early], TERMS, "SUP-1"))[0]
	late = line(start=MON + timedelta(days=88), end=MON + timedelta(days=95))
	assert "is outside placement P1" in messages(invoicing.check_lines([late], TERMS, "SUP-1"))[0]
	backwards = line(start=MON + timedelta(days=4), end=MON)
	assert "ends" in messages(invoicing.check_lines([backwards], TERMS, "SUP-1"))[0]
	missing = line(start=None)
	assert "give the period" in messages(invoicing.check_lines([missing], TERMS, "SUP-1"))[0]


def test_negative_or_zero_lines_are_refused():
	for bad in (line(qty=-5), line(qty=0), line(rate=-40)):
		assert "must be more than zero" in messages(invoicing.check_lines([bad], TERMS, "SUP-1"))[0]


def test_duplicate_lines_and_periods_already_invoiced_are_refused():
	dup = [line(), line(2, start=MON + timedelta(days=2), end=MON + timedelta(days=8))]
	assert messages(invoicing.check_lines(dup, TERMS, "SUP-1")) == [
		"Rows 1 and 2 charge for placement P1 over the same dates"
	]
	before = [invoicing.Invoiced("P1", MON + timedelta(days=3), MON + timedelta(days=10), "PINV-1")]
	assert "already invoiced" in messages(invoicing.check_lines([line()], TERMS, "SUP-1", before))[0]
	other = [invoicing.Invoiced("P2", MON, MON + timedelta(days=10), "PINV-1")]
	assert invoicing.check_lines([line()], TERMS, "SUP-1", other) == []
	assert all(p.kind == "invoice" and p.field == "items" for p in invoicing.check_lines(dup, TERMS, "SUP-1"))


# ---- invoice lines: checked against the register ------------------------------------------------
WEEK = [MON + timedelta(days=i) for i in range(5)]
TIMETABLED = [(d, s) for d in WEEK for s in ("AM", "PM")]
# Mon AM ill, Tue PM unexplained, Wed AM unauthorised, Thu PM transport (not possible), Fri PM unmarked
MARKS = [
	(WEEK[0], "AM", "I"),
	(WEEK[0], "PM", "\\"),
	(WEEK[1], "AM", "/"),
	(WEEK[1], "PM", "N"),
	(WEEK[2], "AM", "O"),
	(WEEK[2], "PM", "\\"),
	(WEEK[3], "AM", "L"),
	(WEEK[3], "PM", "Y1"),
	(WEEK[4], "AM", "U"),
	(WEEK[0] - timedelta(days=7), "AM", "/"),  # outside the period: ignored
]


def terms(basis="Per Session", absences="None", rate=40.0):
	return invoicing.Terms("P1", "Prov One", "SUP-1", MON, MON + timedelta(days=90), basis, rate, absences)


@pytest.mark.parametrize("absences,chargeable", [("None", 5), ("Unauthorised", 7), ("All", 8)])
def test_chargeable_sessions_follow_the_agreed_terms(absences, chargeable):
	c = invoicing.check_delivery(line(qty=10), terms(absences=absences), TIMETABLED, MARKS)
	assert (c.timetabled, c.attended, c.unmarked) == (10, 5, 1)
	assert c.chargeable_units == chargeable
	assert c.charged == 400 and c.allowed == chargeable * 40 and c.over == (10 - chargeable) * 40


def test_charging_what_was_delivered_matches():
	c = invoicing.check_delivery(line(qty=5), terms(), TIMETABLED, MARKS)
	assert c.over == 0
	assert "Matches." in invoicing.breakdown([c])


def test_a_higher_rate_than_agreed_is_over():
	c = invoicing.check_delivery(line(qty=5, rate=45), terms(), TIMETABLED, MARKS)
	assert c.over == 25.0


def test_per_day_and_per_week_count_days_and_weeks_with_a_chargeable_session():
	marks = [(WEEK[0], "AM", "/"), (WEEK[0], "PM", "\\"), (WEEK[1], "AM", "O"), (WEEK[2], "AM", "/")]
	day = invoicing.check_delivery(line(qty=5, rate=90), terms("Per Day", rate=90), TIMETABLED, marks)
	assert day.chargeable_units == 2 and day.over == 270
	week = invoicing.check_delivery(line(qty=1, rate=400), terms("Per Week", rate=400), TIMETABLED, marks)
	assert week.chargeable_units == 1 and week.over == 0
	fixed = invoicing.check_delivery(line(qty=1, rate=3000), terms("Fixed", rate=3000), TIMETABLED, [])
	assert fixed.over == 0


def test_breakdown_says_what_was_timetabled_attended_and_charged():
	c = invoicing.check_delivery(line(qty=10), terms(), TIMETABLED, MARKS)
	text = invoicing.breakdown([c], "GBP")
	assert "10 sessions timetabled, 5 attended, 0 chargeable absences, 4 other absences, 1 not marked" in text
	assert "Charged: 10 at GBP 40.00 = GBP 400.00. Over by GBP 200.00." in text
	assert invoicing.total_over([c, c]) == 400


# ---- supplier sync ------------------------------------------------------------------------------
def test_supplier_updates_push_our_values_and_never_clear_theirs():
	ours = {"provider_name": "Bright Futures", "vat_number": "", "website": "https://bf.example"}
	theirs = {"supplier_name": "Bright Futures Ltd", "tax_id": "GB123", "website": "https://bf.example"}
	assert suppliers.updates(ours, theirs, suppliers.SUPPLIER_FIELDS) == {"supplier_name": "Bright Futures"}
	assert suppliers.updates({"vat_number": "GB999"}, theirs, suppliers.SUPPLIER_FIELDS) == {
		"tax_id": "GB999"
	}
	assert suppliers.can_have_address({"address_line1": "1 High St", "town": "Leeds"})
	assert not suppliers.can_have_address({"address_line1": "1 High St", "town": " "})


# ---- unit costs and outcomes --------------------------------------------------------------------
def test_unit_costs_and_domain_change():
	assert spend.per(300, 4) == 75 and spend.per(300, 0) is None
	scores = [
		(date(2026, 1, 5), True, "Self", 2),
		(date(2026, 1, 5), True, "Social", 3),
		(date(2026, 2, 5), False, "Self", 3),
		(date(2026, 3, 5), False, "Self", 4),
		(date(2026, 3, 5), False, "Social", 2),
		(date(2026, 3, 5), False, "Maths", 5),  # no baseline: not compared
	]
	assert spend.domain_change(scores) == 0.5  # Self +2, Social -1
	assert spend.domain_change(scores[:2]) is None
	assert spend.mean([1, None, 2]) == 1.5 and spend.mean([None]) is None

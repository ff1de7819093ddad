"""Retention periods, as the guidance gives them (ap_framework/rules/retention.py): no Frappe needed.

Sources named in the test names:
- IRMS Information Management Toolkit for Schools: child protection information held in separate files,
  DOB of the child + 25 years then review; SEN files, reviews and EHC plans, DOB of the pupil + 31 years;
  a period other than the guideline needs its reason documented.
- School Attendance (Pupil Registration) (England) Regulations 2024, regulation 7: every register entry
  preserved for at least six years from the date it was made (three under the 2006 Regulations).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from ap_framework.rules import retention as r

APP = Path(__file__).resolve().parents[2] / "ap_framework"


def facts(dob=None, record=None, end=None) -> r.Facts:
	return r.Facts(date_of_birth=dob, record_date=record, placement_end=end)


def period_of(rule: str) -> r.Period:
	return r.BY_RULE[rule].period


# ---- the defaults follow the guidance -------------------------------------------------------------------
def test_irms_child_protection_files_are_kept_until_the_child_is_25():
	for rule in ("Safeguarding Concern", "Pupil Welfare: child protection", "Risk Assessment"):
		rt = r.BY_RULE[rule]
		assert rt.period == r.Period(r.DATE_OF_BIRTH, 25) and rt.source == r.IRMS_CHILD_PROTECTION, rule
		assert rt.fixed and rt.special_category, rule


def test_irms_sen_files_and_ehc_plans_are_kept_until_date_of_birth_plus_31_years():
	rt = r.BY_RULE["Pupil Welfare: SEN"]
	assert rt.period == r.Period(r.DATE_OF_BIRTH, 31) and rt.source == r.IRMS_SEN
	assert rt.fixed and rt.action == r.BLANK and set(rt.fields) == {"sen_status", "ehcp", "sen_notes"}


def test_pupil_welfare_facts_are_emptied_in_two_groups_that_never_overlap():
	cp, sen = r.BY_RULE["Pupil Welfare: child protection"], r.BY_RULE["Pupil Welfare: SEN"]
	assert cp.action == sen.action == r.BLANK
	assert not set(cp.fields) & set(sen.fields)
	assert {"child_protection", "child_in_need", "safeguarding_notes"} <= set(cp.fields)


def test_registration_regulations_2024_reg_7_attendance_entries_kept_at_least_six_years_from_entry():
	rt = r.BY_RULE["AP Attendance"]
	assert rt.period == rt.minimum == r.Period(r.RECORD_DATE, 6)
	assert rt.source == r.REGISTRATION_2024_REG_7 and rt.per_placement and not rt.fixed


def test_the_rest_default_to_the_irms_pupil_record_and_may_be_configured():
	rest = [rt for rt in r.SCHEDULE if not rt.fixed and rt.rule != "AP Attendance"]
	assert {rt.rule for rt in rest} >= {"Contact Log", "Placement"}
	for rt in rest:
		assert rt.period == r.Period(r.DATE_OF_BIRTH, 25) and rt.source == r.IRMS_PUPIL_RECORD, rt.rule
	assert set(r.CONFIGURABLE) == {rt.rule for rt in rest} | {"AP Attendance"}


# ---- dates ---------------------------------------------------------------------------------------------
def test_irms_dob_plus_25_falls_due_on_the_25th_birthday_not_the_day_before():
	p = period_of("Risk Assessment")
	due = r.due(p, facts(dob=date(2001, 3, 14), record=date(2015, 1, 5)))
	assert due == r.Due(date(2026, 3, 14))
	assert (
		not due.is_due(date(2026, 3, 13)) and due.is_due(date(2026, 3, 14)) and due.is_due(date(2027, 1, 1))
	)


def test_irms_dob_plus_31_falls_due_on_the_31st_birthday():
	due = r.due(period_of("Pupil Welfare: SEN"), facts(dob=date(1995, 7, 1)))
	assert due.on == date(2026, 7, 1)
	assert not due.is_due(date(2026, 6, 30)) and due.is_due(date(2026, 7, 1))


def test_a_29_february_birthday_falls_due_on_1_march_of_a_common_year_never_a_day_early():
	p = period_of("Safeguarding Concern")
	assert r.add_years(date(2000, 2, 29), 25) == date(2025, 3, 1)
	assert r.add_years(date(2000, 2, 29), 24) == date(2024, 2, 29)  # a leap year keeps the day
	due = r.due(p, facts(dob=date(2000, 2, 29)))
	assert not due.is_due(date(2025, 2, 28)) and due.is_due(date(2025, 3, 1))


def test_irms_dob_missing_counts_from_the_record_date_the_latest_it_can_fall_due_and_says_so():
	"""A pupil was born on or before any record about them was made: the record's date + 25 years is never
	before the 25th birthday. It is neither due at once nor kept for ever."""
	due = r.due(period_of("Risk Assessment"), facts(record=date(2010, 5, 4)))
	assert due == r.Due(date(2035, 5, 4), r.MISSING_DATE_OF_BIRTH)
	for dob in (date(1990, 1, 1), date(2010, 5, 4)):  # any birthday on or before the record
		assert r.due(period_of("Risk Assessment"), facts(dob=dob, record=date(2010, 5, 4))).on <= due.on


def test_with_no_date_at_all_a_record_never_falls_due_by_itself():
	due = r.due(period_of("Risk Assessment"), facts())
	assert due == r.Due(None, r.NO_DATE) and not due.is_due(date(2200, 1, 1))
	assert r.due(r.Period(r.RECORD_DATE, 6), facts(dob=date(2000, 1, 1))).on is None


def test_registration_regulations_2024_reg_7_a_register_falls_due_six_years_after_its_last_entry():
	p = period_of("AP Attendance")
	due = r.due(p, facts(dob=date(2010, 1, 1), record=date(2020, 7, 17)))
	assert due.on == date(2026, 7, 17)
	assert not due.is_due(date(2026, 7, 16)) and due.is_due(date(2026, 7, 17))


def test_end_of_placement_counts_only_once_the_placement_has_ended():
	p = r.Period(r.END_OF_PLACEMENT, 6)
	assert r.due(p, facts(dob=date(2000, 1, 1))) == r.Due(None, r.NOT_ENDED)
	assert r.due(p, facts(end=date(2019, 7, 19))).on == date(2025, 7, 19)
	assert r.placement_end("Active", None, date(2019, 1, 1)) is None
	assert r.placement_end("Pending Approval", None, date(2019, 1, 1)) is None
	assert r.placement_end("Ended", date(2019, 7, 19), date(2020, 1, 1)) == date(2019, 7, 19)
	# rejected or cancelled before it ran: it ended the day it was turned down
	assert r.placement_end("Rejected", None, date(2019, 2, 1)) == date(2019, 2, 1)
	assert r.placement_end("Cancelled", None, date(2019, 3, 1)) == date(2019, 3, 1)


def test_an_unknown_basis_is_a_programming_error():
	with pytest.raises(ValueError):
		r.due(r.Period("Moon Phase", 1), facts(record=date(2020, 1, 1)))


@pytest.mark.parametrize("years", [6, 25, 31])
def test_latest_start_is_exactly_the_boundary_the_database_compares_with(years):
	"""Everything that started on or before latest_start(today) is due today, nothing after it: checked
	day by day across two leap days."""
	today = date(2023, 12, 1)
	while today < date(2029, 4, 1):
		cutoff = r.latest_start(today, years)
		assert r.add_years(cutoff, years) <= today, today
		assert r.add_years(cutoff + timedelta(days=1), years) > today, today
		today += timedelta(days=1)


# ---- AP Settings' overrides ----------------------------------------------------------------------------
def o(rule="Contact Log", basis=r.RECORD_DATE, years=6, reason="LA policy: closed after six years", idx=1):
	return r.Override(idx, rule, basis, years, reason)


def test_a_configurable_period_may_change_and_takes_effect():
	assert r.check_overrides([o()]) == []
	assert r.periods([o()])["Contact Log"] == r.Period(r.RECORD_DATE, 6)
	assert r.periods([])["Contact Log"] == r.Period(r.DATE_OF_BIRTH, 25)


@pytest.mark.parametrize("rule", ["Safeguarding Concern", "Pupil Welfare: SEN", "Risk Assessment"])
def test_irms_child_protection_and_sen_periods_cannot_be_changed(rule):
	override = o(rule=rule, basis=r.DATE_OF_BIRTH, years=40)
	(p,) = r.check_overrides([override])
	assert p.field == "retention_periods" and p.kind == "retention" and "cannot be changed" in p.render()
	assert r.periods([override])[rule] == r.BY_RULE[rule].period  # ignored even if it got through


@pytest.mark.parametrize("basis,years", [(r.RECORD_DATE, 5), (r.DATE_OF_BIRTH, 25), (r.END_OF_PLACEMENT, 10)])
def test_registration_regulations_2024_reg_7_attendance_may_be_kept_longer_never_shorter(basis, years):
	(p,) = r.check_overrides([o(rule="AP Attendance", basis=basis, years=years)])
	assert "at least Record Date + 6 years" in p.render()
	assert r.check_overrides([o(rule="AP Attendance", years=7)]) == []


def test_irms_a_period_other_than_the_default_needs_its_reason():
	(p,) = r.check_overrides([o(reason="  ")])
	assert "reason" in p.render()


@pytest.mark.parametrize(
	"override,words",
	[
		(o(rule=None), "choose a record type"),
		(o(rule="Staff Files"), "choose a record type"),
		(o(basis=None), "counts from"),
		(o(years=0), "1 to 100 years"),
		(o(years=101), "1 to 100 years"),
	],
)
def test_overrides_that_make_no_sense_name_their_row(override, words):
	(p,) = r.check_overrides([override])
	assert p.render().startswith("Row 1:") and words in p.render()


def test_a_record_type_listed_twice_is_refused():
	problems = r.check_overrides([o(idx=1), o(idx=2, years=8)])
	assert [p.render() for p in problems] == ["Row 2: Contact Log is listed more than once"]


# ---- the reviewer's decisions --------------------------------------------------------------------------
TODAY = date(2026, 12, 1)


def test_declining_needs_a_reason_and_a_date_after_today():
	assert r.check_decline("Subject access request open", date(2027, 12, 1), TODAY) == []
	fields = {p.field for p in r.check_decline(" ", None, TODAY)}
	assert fields == {"decision_note", "review_again_on"}
	for when in (TODAY, TODAY - timedelta(days=1), date(2127, 12, 2)):
		(p,) = r.check_decline("Litigation hold", when, TODAY)
		assert p.field == "review_again_on"


def test_only_a_pending_review_is_decided():
	assert r.check_pending(r.PENDING) == []
	for status in (r.DECLINED, r.REMOVED):
		(p,) = r.check_pending(status)
		assert p.field == "status" and status in p.render()


def test_confirming_needs_the_record_due_on_the_facts_as_they_are_now():
	assert r.check_confirm(r.PENDING, r.Due(TODAY), TODAY) == []
	(p,) = r.check_confirm(r.PENDING, r.Due(TODAY + timedelta(days=1)), TODAY)
	assert p.field == "due_on" and "2026-12-02" in p.render()
	(p,) = r.check_confirm(r.PENDING, r.Due(None, r.NOT_ENDED), TODAY)
	assert r.NOT_ENDED in p.render()
	(p,) = r.check_confirm(r.REMOVED, r.Due(TODAY), TODAY)
	assert p.field == "status"


def test_period_describes_itself():
	assert r.Period(r.DATE_OF_BIRTH, 25).describe() == "Date of Birth + 25 years"


# ---- the DocTypes agree with the rules -----------------------------------------------------------------
def options(doctype_folder: str, fieldname: str) -> list[str]:
	doc = json.loads((APP / "oversight" / "doctype" / doctype_folder / f"{doctype_folder}.json").read_text())
	field = next(f for f in doc["fields"] if f["fieldname"] == fieldname)
	return field["options"].split("\n")


def test_the_review_and_settings_options_are_the_rules():
	assert options("retention_review", "rule") == list(r.RULES)
	assert options("retention_review", "status") == list(r.STATUSES)
	assert options("retention_period", "record_type") == list(r.CONFIGURABLE)
	assert options("retention_period", "basis") == list(r.BASES)


def test_only_the_ap_administrator_and_the_safeguarding_lead_read_reviews_and_nobody_writes_them():
	doc = json.loads((APP / "oversight/doctype/retention_review/retention_review.json").read_text())
	assert {p["role"] for p in doc["permissions"]} == {"AP Administrator", "Safeguarding Lead"}
	for p in doc["permissions"]:
		assert not any(p.get(k) for k in ("write", "create", "delete", "submit", "cancel", "amend")), p
	assert all(
		f.get("read_only") for f in doc["fields"] if f["fieldtype"] not in ("Section Break", "Column Break")
	)


def test_the_schedule_names_each_rule_once_and_every_blank_rule_its_fields():
	assert len(set(r.RULES)) == len(r.RULES)
	for rt in r.SCHEDULE:
		assert (rt.action == r.BLANK) == bool(rt.fields), rt.rule
		assert rt.period.basis in r.BASES and rt.period.years > 0, rt.rule

"""Date order and date windows, shared by every record that has more than one date."""

from __future__ import annotations

from datetime import date

from ap_framework.rules import Problem, _, problem


def order(
	earlier_field: str,
	earlier: date | None,
	later_field: str,
	later: date | None,
	label_earlier: str,
	label_later: str,
	allow_equal: bool = True,
) -> list[Problem]:
	"""`later` must not come before `earlier` (both optional: a missing date is not this rule's business)."""
	if not earlier or not later:
		return []
	if later < earlier or (not allow_equal and later == earlier):
		msg = (
			_("{0} ({1}) cannot be before {2} ({3})")
			if allow_equal
			else _("{0} ({1}) must be after {2} ({3})")
		)
		return [problem(later_field, msg, label_later, later, label_earlier, earlier, kind="date_order")]
	return []


def not_in_future(field_name: str, value: date | None, today: date, label: str) -> list[Problem]:
	if value and value > today:
		return [problem(field_name, _("{0} ({1}) cannot be in the future"), label, value, kind="date_order")]
	return []


def within(
	field_name: str, value: date | None, start: date | None, end: date | None, label: str, window_label: str
) -> list[Problem]:
	"""`value` must fall inside [start, end]; an open end means 'still running'."""
	if not value or not start:
		return []
	if value < start or (end and value > end):
		return [
			problem(
				field_name,
				_("{0} ({1}) is outside the {2} ({3} to {4})"),
				label,
				value,
				window_label,
				start,
				end or _("open"),
				kind="outside_window",
			)
		]
	return []

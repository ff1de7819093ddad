"""Unique Pupil Number: check letter, LA code and temporary UPNs, via python-stdnum."""

from __future__ import annotations

from stdnum import exceptions as stdnum_errors
from stdnum.gb import upn as stdnum_upn

from ap_framework.rules import Problem, _, problem


def normalise(value: str | None) -> str:
	return stdnum_upn.compact(value or "")


def is_temporary(value: str) -> bool:
	"""A temporary UPN ends in a letter; the real one replaces it when known."""
	value = normalise(value)
	return len(value) == 13 and value[-1].isalpha()


def check(value: str | None, field_name: str = "upn") -> list[Problem]:
	value = normalise(value)
	if not value:
		return []
	try:
		stdnum_upn.validate(value)
	except stdnum_errors.InvalidLength:
		return [problem(field_name, _("UPN {0} must be 13 characters long"), value, kind="upn")]
	except stdnum_errors.InvalidFormat:
		return [
			problem(
				field_name,
				_("UPN {0} must be a letter, 11 digits and a final digit or letter"),
				value,
				kind="upn",
			)
		]
	except stdnum_errors.InvalidComponent:
		return [
			problem(
				field_name,
				_("UPN {0} does not start with a known local authority code ({1})"),
				value,
				value[1:4],
				kind="upn",
			)
		]
	except stdnum_errors.InvalidChecksum:
		return [
			problem(
				field_name,
				_("UPN {0} has the wrong check letter (expected {1})"),
				value,
				stdnum_upn.calc_check_digit(value[1:]),
				kind="upn",
			)
		]
	return []


def with_check_letter(body: str) -> str:
	"""Complete a 12-character UPN body (LA, establishment, year, serial) with its check letter."""
	return stdnum_upn.calc_check_digit(body) + body

"""School and provider identifiers: URN, UKPRN, LA code, postcode."""

from __future__ import annotations

import re

from ap_framework.rules import Problem, _, problem

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def check_urn(value: str | None, field_name: str = "urn") -> list[Problem]:
	if value and not re.fullmatch(r"\d{6,7}", value.strip()):
		return [problem(field_name, _("URN {0} must be 6 or 7 digits"), value, kind="identifier")]
	return []


def check_ukprn(value: str | None, field_name: str = "ukprn") -> list[Problem]:
	if value and not re.fullmatch(r"1\d{7}", value.strip()):
		return [
			problem(field_name, _("UKPRN {0} must be 8 digits starting with 1"), value, kind="identifier")
		]
	return []


def check_la_code(value: str | None, field_name: str = "la_code") -> list[Problem]:
	if value and not re.fullmatch(r"\d{3}", value.strip()):
		return [problem(field_name, _("LA code {0} must be 3 digits"), value, kind="identifier")]
	return []


def check_postcode(value: str | None, field_name: str = "postcode") -> list[Problem]:
	if value and not _POSTCODE.match(value.strip().upper()):
		return [problem(field_name, _("{0} is not a UK postcode"), value, kind="identifier")]
	return []


def check_provider_identity(registered: bool, urn: str | None) -> list[Problem]:
	"""A registered school always has a URN; inspectors ask for it at the planning call."""
	if registered and not (urn or "").strip():
		return [problem("urn", _("A registered school needs its URN"), kind="identifier")]
	return []

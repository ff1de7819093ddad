"""School census "AP placements arranged by schools": the items and the census's own validations.

The code lists below are provisional: check them against the current DfE school census business and
technical specification before a live return (the validations themselves are the known ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from ap_framework.rules import Problem, _, problem

SETTING_TYPES = {
	"NFE": "Non-maintained further education",
	"OOT": "One-to-one tuition",
	"OTH": "Other unregistered provider",
	"WBP": "Work-based placement",
}
REASONS = {
	"BEH": "To improve behaviour off-site",
	"SUS": "During a suspension",
	"PEX": "Following a permanent exclusion",
	"MED": "Medical or health needs",
	"EHC": "Named in the pupil's EHC plan",
	"OTH": "Other",
}
EHC_REASON = "EHC"
ASSOCIATIONS = {
	"TRU": "Setting in the same trust as the school",
	"LAA": "Arranged with the local authority",
	"NON": "No association",
}
PATTERNS = {"FT": "Full time", "PT": "Part time"}


@dataclass(frozen=True)
class CensusItems:
	urn: str | None
	ukprn: str | None
	setting_type: str | None
	reason: str | None
	association: str | None
	pattern: str | None
	sessions: int | None
	single_registered: bool
	# census SEN provision: N, K or E; None when the user may not read it (the check is then left to those
	# who may: a refusal would tell them the pupil's SEN status)
	sen_status: str | None


def check(items: CensusItems) -> list[Problem]:
	problems = []
	identifiers = [v for v in (items.urn, items.ukprn, items.setting_type) if v]
	if len(identifiers) != 1:
		problems.append(
			problem(
				"census_setting_type",
				_("Give exactly one of the provider's URN, its UKPRN or a census setting type (found {0})"),
				len(identifiers),
				kind="census",
			)
		)
	if items.setting_type and items.setting_type not in SETTING_TYPES:
		problems.append(
			problem(
				"census_setting_type",
				_("{0} is not a census setting type"),
				items.setting_type,
				kind="census",
			)
		)
	if items.single_registered and not items.reason:
		problems.append(
			problem("census_reason", _("A reason is required for a single-registered pupil"), kind="census")
		)
	if items.reason and items.reason not in REASONS:
		problems.append(
			problem("census_reason", _("{0} is not a census AP reason"), items.reason, kind="census")
		)
	if items.reason == EHC_REASON and items.sen_status is not None and items.sen_status != "E":
		problems.append(
			problem(
				"census_reason",
				_("The reason 'named in EHC plan' needs the pupil's SEN status to be E"),
				kind="census",
			)
		)
	if items.association and items.association not in ASSOCIATIONS:
		problems.append(
			problem(
				"census_association", _("{0} is not a census association"), items.association, kind="census"
			)
		)
	if items.pattern and items.pattern not in PATTERNS:
		problems.append(
			problem(
				"census_attendance_pattern",
				_("{0} is not a census attendance pattern"),
				items.pattern,
				kind="census",
			)
		)
	if items.sessions is not None and not 0 <= items.sessions <= 10:
		problems.append(
			problem(
				"census_sessions",
				_("Sessions per week must be between 0 and 10, not {0}"),
				items.sessions,
				kind="census",
			)
		)
	return problems


def pattern_for(part_time: bool) -> str:
	return "PT" if part_time else "FT"


def check_leaving(on_roll: bool, leaving_date, end_date) -> list[Problem]:
	"""An off-roll pupil's placement cannot end after the school leaving date."""
	if not on_roll and leaving_date and end_date and end_date > leaving_date:
		return [
			problem(
				"end_date",
				_("An off-roll pupil's placement cannot end after the school leaving date ({0})"),
				leaving_date,
				kind="census",
			)
		]
	return []

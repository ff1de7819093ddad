"""Contact logs: visits, calls and follow-ups, pupil-level or provider-level."""

from __future__ import annotations

from ap_framework.rules import Problem, _, problem

CONTACT_TYPES = (
	"Phone",
	"Email",
	"Meeting",
	"Announced Visit",
	"Unannounced Visit",
	"Home Visit",
	"Attendance Follow-up",
)
VISIT_TYPES = ("Announced Visit", "Unannounced Visit")
PUPIL_TYPES = ("Home Visit", "Attendance Follow-up")


def check(
	contact_type: str | None,
	has_placement: bool,
	provider: str | None,
	placement_provider: str | None,
) -> list[Problem]:
	problems = []
	if contact_type and contact_type not in CONTACT_TYPES:
		problems.append(problem("contact_type", _("{0} is not a contact type"), contact_type, kind="contact"))
	if contact_type in PUPIL_TYPES and not has_placement:
		problems.append(
			problem(
				"placement",
				_("A {0} is about a pupil: choose the placement"),
				_(contact_type),
				kind="contact",
			)
		)
	if not provider and not has_placement:
		problems.append(
			problem(
				"provider", _("Choose the provider or the placement this contact is about"), kind="contact"
			)
		)
	if has_placement and provider and placement_provider and provider != placement_provider:
		problems.append(
			problem(
				"provider",
				_("The placement is with {0}, not {1}"),
				placement_provider,
				provider,
				kind="contact",
			)
		)
	return problems


def check_concern(details: str | None, pupil: str | None, placement_pupil: str | None) -> list[Problem]:
	"""A safeguarding concern says what was seen or heard (KCSIE: record the concern in writing, as it was
	said), and is about the pupil of the placement it was raised from."""
	problems = []
	if not (details or "").strip():
		problems.append(problem("details", _("Describe the safeguarding concern"), kind="contact"))
	if pupil and placement_pupil and pupil != placement_pupil:
		problems.append(
			problem("pupil", _("The placement is for {0}, not {1}"), placement_pupil, pupil, kind="contact")
		)
	return problems

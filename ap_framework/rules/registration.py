"""The independent-school registration test for unregistered (non-school) AP.

A setting must register as an independent school when it educates full time five or more pupils of
compulsory school age, or one such pupil who is looked after or has an EHC plan (Education Act 1996,
s.463). Full time is a pupil's hours at the setting, breaks included: the DfE's registration guidance
"will consider any setting that is operating during the day, for more than 18 hours per week, to be
providing full-time education". The measure is the timetable's hours, not its register sessions: a
09:00–15:00 day is six hours whether it is marked as one session or two.
"""

from __future__ import annotations

from dataclasses import dataclass

from ap_framework.rules import _

FULL_TIME_PUPILS = 5


@dataclass(frozen=True)
class PlacedPupil:
	pupil: str
	hours_per_week: float  # all of this pupil's current hours at the provider
	looked_after: bool = False
	ehcp: bool = False


@dataclass(frozen=True)
class Verdict:
	meets_test: bool
	reason: str  # English; empty when the test is not met
	pupils: tuple[str, ...]  # the pupils who make it so
	vulnerable: bool = False  # met by the looked-after / EHC plan limb (which says who those pupils are)


def registration_test(is_registered: bool, pupils: list[PlacedPupil], full_time_hours: float = 18) -> Verdict:
	if is_registered:
		return Verdict(False, "", ())
	full_time = [p for p in pupils if p.hours_per_week > full_time_hours]
	vulnerable = [p for p in full_time if p.looked_after or p.ehcp]
	if vulnerable:
		return Verdict(
			True,
			_("educates full time a pupil who is looked after or has an EHC plan"),
			tuple(sorted(p.pupil for p in vulnerable)),
			vulnerable=True,
		)
	if len(full_time) >= FULL_TIME_PUPILS:
		return Verdict(
			True, _("educates five or more pupils full time"), tuple(sorted(p.pupil for p in full_time))
		)
	return Verdict(False, "", ())

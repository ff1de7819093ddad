"""Development domains and their assessments: descriptor ranges, one baseline, one score per domain."""

from __future__ import annotations

from dataclasses import dataclass

from ap_framework.rules import Problem, _, problem


@dataclass(frozen=True)
class Score:
	domain: str
	score: int | None
	row: int = 0


def check_descriptor_levels(levels: list[int], field_name: str = "descriptors") -> list[Problem]:
	"""A domain's descriptors are levels 1..n, each once, with at least two levels."""
	if len(levels) < 2:
		return [problem(field_name, _("A domain needs at least two level descriptors"), kind="domain")]
	if sorted(levels) != list(range(1, len(levels) + 1)):
		return [
			problem(
				field_name,
				_("Descriptor levels must run 1, 2, 3 … with no gaps or repeats (found {0})"),
				", ".join(str(v) for v in levels),
				kind="domain",
			)
		]
	return []


def check_scores(
	scores: list[Score], ranges: dict[str, tuple[int, int]], field_name: str = "scores"
) -> list[Problem]:
	"""Each score inside its domain's descriptor range; each domain scored once; none unknown."""
	problems = []
	if not scores:
		problems.append(problem(field_name, _("Score at least one domain"), kind="domain_score"))
	seen: set[str] = set()
	for s in scores:
		if s.domain in seen:
			problems.append(
				problem(field_name, _("Row {0}: {1} is scored twice"), s.row, s.domain, kind="domain_score")
			)
		seen.add(s.domain)
		rng = ranges.get(s.domain)
		if rng is None:
			problems.append(
				problem(
					field_name,
					_("Row {0}: {1} is not an active development domain"),
					s.row,
					s.domain,
					kind="domain_score",
				)
			)
		elif s.score is None or not rng[0] <= s.score <= rng[1]:
			problems.append(
				problem(
					field_name,
					_("Row {0}: the score for {1} must be between {2} and {3}, not {4}"),
					s.row,
					s.domain,
					rng[0],
					rng[1],
					s.score,
					kind="domain_score",
				)
			)
	return problems


def check_single_baseline(is_baseline: bool, other_baselines: list[str]) -> list[Problem]:
	if is_baseline and other_baselines:
		return [
			problem(
				"is_baseline",
				_(
					"This pupil already has a baseline for this placement ({0}); record a later assessment instead"
				),
				", ".join(other_baselines),
				kind="baseline",
			)
		]
	return []


def change_by_domain(baseline: dict[str, int], latest: dict[str, int]) -> dict[str, int]:
	"""Latest minus baseline, per domain scored in both."""
	return {d: latest[d] - baseline[d] for d in baseline if d in latest}

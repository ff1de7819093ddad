"""Risk assessments for pupils placed off-site."""

from __future__ import annotations

from ap_framework.rules import Problem, _, problem

RATINGS = ("Low", "Medium", "High")


def check(rating: str | None, mitigations: str | None, welfare_plan: str | None) -> list[Problem]:
	problems = []
	if rating in ("Medium", "High") and not (mitigations or "").strip():
		problems.append(
			problem("mitigations", _("A {0} risk needs its mitigations recorded"), _(rating), kind="risk")
		)
	if rating == "High" and not (welfare_plan or "").strip():
		problems.append(problem("welfare_plan", _("A high risk needs a welfare plan"), kind="risk"))
	return problems

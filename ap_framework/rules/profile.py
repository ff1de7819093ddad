"""The learner profile: assembled from records already held, section by section, never retyped.

Plain values in (dicts read by the controller in a few queries), a plain dict out: the snapshot that
is frozen, printed and sent. Domains are keyed by their stable code so another site can map them.
"""

from __future__ import annotations

from datetime import date

from ap_framework.rules import Problem, _, problem

# code -> title, in the order a teacher reads them
SECTIONS: dict[str, str] = {
	"domains": _("Development across the domains"),
	"strengths": _("Strengths"),
	"needs": _("Areas of need and remaining barriers"),
	"triggers": _("Triggers and risks"),
	"environment": _("Environmental sensitivities"),
	"readiness": _("Learning readiness"),
	"social": _("Social functioning"),
	"strategies": _("What works, what does not, and how to deliver support"),
	"early_warning": _("Early warning signs"),
	"interventions": _("Interventions delivered and their impact"),
	"priorities": _("Remaining priorities"),
	"pupil_voice": _("The pupil's own words"),
	"reintegration": _("Reintegration plan"),
}
# Safeguarding travels only on its own channel, never inside a profile.
SAFEGUARDING = "safeguarding"
SAFEGUARDING_TITLE = _("Safeguarding")
ALL_TITLES = {**SECTIONS, SAFEGUARDING: SAFEGUARDING_TITLE}
CODE_BY_TITLE = {title: code for code, title in ALL_TITLES.items()}

# Domains (by code in the default framework) that speak to a section as well as the domain table.
SECTION_DOMAINS = {"readiness": ("RTL", "MOT"), "social": ("SOC", "COM"), "environment": ("SEN",)}


def _text(*values) -> list[str]:
	return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def _key(row: dict) -> tuple:
	return (str(row.get("date") or ""), str(row.get("name") or ""))


def domain_progress(assessments: list[dict], domains: list[dict]) -> list[dict]:
	"""Per domain: the starting point (the baseline, else the first assessment) and the latest level,
	each with its date and descriptor, in the framework's order. Domains never scored are left out."""
	ordered = sorted(assessments, key=_key)
	first: dict[str, dict] = {}
	baseline: dict[str, dict] = {}
	latest: dict[str, dict] = {}
	for a in ordered:
		for s in a.get("scores") or []:
			point = {"score": s.get("score"), "date": a.get("date"), "descriptor": s.get("descriptor") or ""}
			code = s.get("code")
			first.setdefault(code, point)
			if a.get("is_baseline"):
				baseline.setdefault(code, point)
			latest[code] = point
	rows = []
	for d in domains:
		code = d["code"]
		if code not in latest:
			continue
		start = baseline.get(code) or first[code]
		end = latest[code]
		change = None
		if isinstance(start["score"], int) and isinstance(end["score"], int):
			change = end["score"] - start["score"]
		rows.append(
			{
				"code": code,
				"domain": d.get("name") or code,
				"max_level": d.get("max_level") or 5,
				"baseline": start,
				"latest": end,
				"change": change,
			}
		)
	return rows


def assemble(
	pupil: dict,
	domains: list[dict],
	assessments: list[dict],
	plan: dict | None,
	reviews: list[dict],
	inputs: list[dict],
	reintegration: dict | None,
	risk: dict | None,
	narratives: dict[str, str] | None = None,
	safeguarding: dict | None = None,
) -> dict:
	"""The whole profile as a plain dict. `safeguarding` is only given for the safeguarding channel."""
	plan = plan or {}
	narratives = narratives or {}
	assessments = sorted(assessments, key=_key)
	reviews = sorted(reviews, key=_key)
	inputs = sorted(inputs, key=_key)
	latest = assessments[-1] if assessments else {}
	progress = domain_progress(assessments, domains)
	by_code = {row["code"]: row for row in progress}

	def domain_items(section: str) -> list[str]:
		out = []
		for code in SECTION_DOMAINS.get(section, ()):
			row = by_code.get(code)
			if row:
				out.append(
					f"{row['domain']}: {row['latest']['score']} - {row['latest']['descriptor']}".strip()
				)
		return out

	objectives = plan.get("objectives") or []
	interventions = []
	for o in objectives:
		line = o.get("objective") or ""
		if o.get("status"):
			line += f" ({o['status']})"
		interventions.append(line)
	for r in reviews:
		for p in r.get("progress") or []:
			if p.get("objective") or p.get("comment"):
				interventions.append(
					" - ".join(
						_text(
							str(r.get("date") or ""), p.get("objective"), p.get("progress"), p.get("comment")
						)
					)
				)
	priorities = [
		o.get("objective")
		for o in objectives
		if o.get("objective") and o.get("status") not in ("Achieved", "Discontinued")
	]
	priorities += [
		row["domain"]
		for row in progress
		if row["latest"]["score"] is not None and row["latest"]["score"] <= 2
	]
	voice = _text(*(a.get("pupil_voice") for a in assessments))
	voice += _text(*(r.get("pupil_voice") for r in reviews))
	voice += _text(*(i.get("pupil_words") for i in inputs))
	triggers = _text(plan.get("triggers"))
	if risk:
		triggers += _text(
			f"Risk rating {risk['overall_rating']}" if risk.get("overall_rating") else "",
			", ".join(risk.get("factors") or []),
			risk.get("mitigations"),
		)
	reint = reintegration or {}
	reint_items = _text(
		f"Return date {reint['target_date']}" if reint.get("target_date") else "",
		f"Monitoring for {reint['monitoring_weeks']} weeks" if reint.get("monitoring_weeks") else "",
		reint.get("support"),
		reint.get("adaptations"),
		reint.get("staff_briefing"),
	)
	for s in reint.get("stages") or []:
		reint_items.append(
			f"{s.get('from_date')} to {s.get('to_date')}: {s.get('hours_in_school') or 0} h in school. "
			f"{s.get('arrangement') or ''}".strip()
		)
	content = {
		"domains": [],
		"strengths": _text(latest.get("strengths")),
		"needs": _text(latest.get("barriers"), plan.get("baseline_summary")),
		"triggers": triggers,
		"environment": _text(reint.get("adaptations")) + domain_items("environment"),
		"readiness": domain_items("readiness") + _text(plan.get("reintegration_criteria")),
		"social": domain_items("social"),
		"strategies": _text(
			f"What works: {plan['strategies_that_work']}" if plan.get("strategies_that_work") else "",
			f"What does not work: {plan['strategies_to_avoid']}" if plan.get("strategies_to_avoid") else "",
		),
		"early_warning": _text(plan.get("early_warning_signs")),
		"interventions": interventions,
		"priorities": priorities,
		"pupil_voice": voice,
		"reintegration": reint_items,
	}
	sections = {
		code: {"title": title, "narrative": (narratives.get(code) or "").strip(), "items": content[code]}
		for code, title in SECTIONS.items()
	}
	sections["domains"]["rows"] = progress
	if safeguarding is not None:
		sections[SAFEGUARDING] = {
			"title": SAFEGUARDING_TITLE,
			"narrative": (narratives.get(SAFEGUARDING) or "").strip(),
			"items": _text(*(safeguarding.get("items") or [])),
			"flags": sorted(safeguarding.get("flags") or []),
		}
	return {"pupil": pupil, "sections": sections}


def select(profile: dict, codes: list[str]) -> dict:
	"""The profile cut down to the chosen sections (in the profile's order); the pupil always travels."""
	wanted = set(codes)
	return {
		"pupil": profile["pupil"],
		"sections": {c: s for c, s in profile["sections"].items() if c in wanted},
	}


def age_on(dob: date | None, on: date) -> int | None:
	if not dob:
		return None
	return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


PACK_RECORD_TYPES = (
	"Pupil Plan",
	"Plan Review",
	"Risk Assessment",
	"Reintegration Plan",
	"Domain Assessment",
)


def check_rows(
	narrative_sections: list[tuple[int, str]], attachments: list[tuple[int, str, str, str]], owners: dict
) -> list[Problem]:
	"""One narrative per section; each attachment either one of the pupil's own records or a file.
	`attachments` holds (row, record type, record, file); `owners` maps (type, record) to its pupil
	(or None when the record is not this pupil's)."""
	problems, seen = [], set()
	for row, section in narrative_sections:
		if section in seen:
			problems.append(problem("narratives", _("Row {0}: {1} already has a narrative"), row, section))
		seen.add(section)
	for row, doctype, name, file_url in attachments:
		if bool(doctype and name) == bool(file_url):
			problems.append(
				problem("attachments", _("Row {0}: choose a record or a file, not both or neither"), row)
			)
		elif doctype and doctype not in PACK_RECORD_TYPES:
			problems.append(
				problem(
					"attachments",
					_("Row {0}: {1} cannot go in a pack ({2})"),
					row,
					doctype,
					", ".join(PACK_RECORD_TYPES),
				)
			)
		elif doctype and not owners.get((doctype, name)):
			problems.append(
				problem("attachments", _("Row {0}: {1} {2} is not this pupil's"), row, doctype, name)
			)
	return problems

"""Gather the records a learner profile is assembled from: a fixed number of queries per pupil, whatever
the number of assessments, reviews or inputs. rules/profile.py does the assembling."""

from __future__ import annotations

import frappe
from frappe.query_builder import DocType

from ap_framework.oversight import access_audit
from ap_framework.rules import profile as rules


def _children(child: str, parents: list[str], fields: list[str]) -> dict[str, list]:
	"""Rows of child table `child` for every parent, in one query."""
	out: dict[str, list] = {p: [] for p in parents}
	if not parents:
		return out
	for row in frappe.get_all(
		child, filters={"parent": ("in", parents)}, fields=["parent", *fields], order_by="idx asc"
	):
		out[row.parent].append(row)
	return out


def domains() -> list[dict]:
	d = DocType("Development Domain")
	return (
		frappe.qb.from_(d)
		.select(d.name, d.code, d.max_level, d.framework_version)
		.where(d.is_active == 1)
		.orderby(d.sort_order)
		.run(as_dict=True)
	)


def framework_version(rows: list[dict]) -> str:
	return ", ".join(sorted({str(r.framework_version or "1") for r in rows})) or "1"


def gather(pupil: str, narratives: dict[str, str] | None = None, safeguarding: bool = False) -> dict:
	"""The profile of `pupil` as rules.assemble builds it. The caller has checked that the user may
	read this pupil's profile; `safeguarding` only for the safeguarding channel (Safeguarding Leads)."""
	p = frappe.db.get_value(
		"Pupil",
		pupil,
		[
			"name",
			"first_name",
			"last_name",
			"full_name",
			"date_of_birth",
			"upn",
			"gender",
			"year_group",
			"school",
		],
		as_dict=True,
	)
	ds = domains()
	code_of = {d.name: d.code for d in ds}

	assessments = frappe.get_all(
		"Domain Assessment",
		filters={"pupil": pupil, "docstatus": 1},
		fields=["name", "assessment_date as date", "is_baseline", "strengths", "barriers", "pupil_voice"],
	)
	scores = _children(
		"Domain Assessment Score", [a.name for a in assessments], ["domain", "score", "level_descriptor"]
	)
	for a in assessments:
		a["scores"] = [
			{"code": code_of.get(s.domain, s.domain), "score": s.score, "descriptor": s.level_descriptor}
			for s in scores[a.name]
		]

	plans = frappe.get_all(
		"Pupil Plan",
		filters={"pupil": pupil, "status": ("!=", "Draft")},
		fields=[
			"name",
			"baseline_summary",
			"strategies_that_work",
			"strategies_to_avoid",
			"triggers",
			"early_warning_signs",
			"reintegration_criteria",
		],
		order_by="plan_start desc, creation desc",
		limit=1,
	)
	plan = plans[0] if plans else None
	if plan:
		plan["objectives"] = [
			{"code": code_of.get(o.domain), "objective": o.objective, "status": o.objective_status}
			for o in _children("Plan Objective", [plan.name], ["domain", "objective", "objective_status"])[
				plan.name
			]
		]

	reviews = frappe.get_all(
		"Plan Review",
		filters={"pupil": pupil, "docstatus": 1},
		fields=["name", "review_date as date", "decision", "decision_notes", "pupil_voice"],
	)
	progress = _children(
		"Plan Review Progress", [r.name for r in reviews], ["objective", "progress", "comment"]
	)
	for r in reviews:
		r["progress"] = progress[r.name]

	inputs = frappe.get_all(
		"Review Input", filters={"pupil": pupil}, fields=["name", "input_date as date", "pupil_words"]
	)

	plans = frappe.get_all(
		"Reintegration Plan",
		filters={"pupil": pupil},
		fields=["name", "target_date", "monitoring_weeks", "support", "adaptations", "staff_briefing"],
		order_by="target_date desc",
		limit=1,
	)
	reintegration = plans[0] if plans else None
	if reintegration:
		reintegration["stages"] = _children(
			"Reintegration Stage",
			[reintegration.name],
			["from_date", "to_date", "hours_in_school", "arrangement"],
		)[reintegration.name]

	risks = frappe.get_all(
		"Risk Assessment",
		filters={"pupil": pupil},
		fields=[
			"name",
			"overall_rating",
			"mitigations",
			"exploitation_risk",
			"missing_episodes",
			"travel_risk",
			"self_harm",
			"substance_misuse",
			"part_time_timetable",
			"other_factors",
		],
		order_by="assessment_date desc",
		limit=1,
	)
	risk = None
	if risks:
		r = risks[0]
		access_audit.record_rows("Risk Assessment", [r.name])
		meta = frappe.get_meta("Risk Assessment")
		flags = (
			"exploitation_risk",
			"missing_episodes",
			"travel_risk",
			"self_harm",
			"substance_misuse",
			"part_time_timetable",
		)
		risk = {
			"overall_rating": r.overall_rating,
			"mitigations": r.mitigations,
			"factors": [meta.get_label(f) for f in flags if r.get(f)]
			+ ([r.other_factors] if r.other_factors else []),
		}

	sg = None
	if safeguarding:
		flags = (
			frappe.db.get_value(
				"Pupil Welfare",
				pupil,
				["looked_after", "child_protection", "child_in_need", "safeguarding_notes"],
				as_dict=True,
			)
			or frappe._dict()
		)
		concerns = frappe.get_all(
			"Safeguarding Concern",
			filters={"pupil": pupil},
			fields=["name", "raised_on", "details"],
			order_by="raised_on asc",
		)
		access_audit.record_rows("Pupil Welfare", [pupil])
		access_audit.record_rows("Safeguarding Concern", [c.name for c in concerns])
		meta = frappe.get_meta("Pupil Welfare")
		sg = {
			"flags": [
				meta.get_label(f)
				for f in ("looked_after", "child_protection", "child_in_need")
				if flags.get(f)
			],
			"items": [flags.safeguarding_notes]
			+ [f"{c.raised_on}: {c.details}" for c in concerns if c.details],
		}

	identity = {
		"first_name": p.first_name,
		"last_name": p.last_name,
		"full_name": p.full_name,
		"date_of_birth": str(p.date_of_birth) if p.date_of_birth else None,
		"upn": p.upn,
		"gender": p.gender,
		"year_group": p.year_group,
		"school": p.school,
	}
	for rows in (assessments, reviews, inputs):
		for row in rows:
			row["date"] = str(row.get("date") or "")
	snapshot = rules.assemble(
		identity,
		[{"code": d.code, "name": d.name, "max_level": d.max_level} for d in ds],
		assessments,
		plan,
		reviews,
		inputs,
		_stringify(reintegration),
		risk,
		narratives,
		sg,
	)
	snapshot["framework_version"] = framework_version(ds)
	return snapshot


def _stringify(row):
	"""Dates as ISO strings, so the snapshot is plain JSON."""
	if not row:
		return row
	out = {}
	for k, v in row.items():
		if isinstance(v, list):
			out[k] = [_stringify(x) for x in v]
		elif hasattr(v, "isoformat"):
			out[k] = v.isoformat()
		else:
			out[k] = v
	return out


def narratives_of(doc) -> dict[str, str]:
	return {rules.CODE_BY_TITLE.get(r.section, r.section): r.narrative for r in doc.get("narratives") or []}

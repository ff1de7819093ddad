"""A pupil's special-category facts (Pupil Welfare) beside the pupil.

The facts live in a DocType of their own, readable only by the Safeguarding Lead and the AP Administrator,
so that every door of the platform (REST, frappe.client, report view, list sidebar, link search, Report
Builder, number cards, charts) refuses them to everyone else by its DocType-level check. This module is
the one place that keeps the two records in step, and the one place server code reads the facts from.
"""

from __future__ import annotations

import frappe
from frappe.query_builder import DocType

DOCTYPE = "Pupil Welfare"
FACTS = (
	"sen_status",
	"ehcp",
	"pupil_premium",
	"fsm",
	"looked_after",
	"child_protection",
	"child_in_need",
	"safeguarding_notes",
	"sen_notes",
)
# What Pupil Welfare copies from its pupil, kept in step when the pupil changes.
FROM_PUPIL = {"school": "school", "pupil_name": "full_name", "date_of_birth": "date_of_birth"}


def may_read(user: str | None = None) -> bool:
	"""Whether the user may read special-category facts at all (role level; rows are scoped by school)."""
	return bool(frappe.has_permission(DOCTYPE, "read", user=user))


def create_for(pupil, facts: dict | None = None) -> None:
	"""Every pupil has exactly one welfare record, made with the pupil so that a Safeguarding Lead always
	finds it to fill in, and so that its existence says nothing about the child."""
	doc = frappe.get_doc({"doctype": DOCTYPE, "pupil": pupil.name, **(facts or {})})
	# Whoever may create the pupil creates its (blank, or as given by a Safeguarding Lead's import) welfare
	# record with it: the user cannot read it back, and the record belongs to the pupil just made.
	doc.insert(ignore_permissions=True)


def keep_in_step(pupil) -> None:
	"""The welfare record follows its pupil's school, name and date of birth (the school scopes who may
	read it; the date of birth dates its retention)."""
	before = pupil.get_doc_before_save()
	if before is None:
		return  # just made: its welfare record fetched them as it was made
	changed = {
		ours: pupil.get(theirs)
		for ours, theirs in FROM_PUPIL.items()
		if before.get(theirs) != pupil.get(theirs)
	}
	if changed and frappe.db.exists(DOCTYPE, pupil.name):
		frappe.db.set_value(DOCTYPE, pupil.name, changed, update_modified=False)


def remove_with(pupil) -> None:
	"""A pupil deleted takes its welfare record with it (the user may delete the pupil: the welfare record
	is part of it, though they may not read it)."""
	frappe.delete_doc(DOCTYPE, pupil.name, ignore_permissions=True, ignore_missing=True, force=True)


def for_form(pupil) -> dict | None:
	"""The facts for the Pupil form, for a user who may read this pupil's welfare record; else None."""
	if not frappe.db.exists(DOCTYPE, pupil.name):
		return None
	doc = frappe.get_doc(DOCTYPE, pupil.name)
	if not doc.has_permission("read"):
		return None
	meta = frappe.get_meta(DOCTYPE)
	return {
		"name": doc.name,
		"facts": [
			{"label": frappe._(meta.get_label(f)), "value": doc.get(f)}
			for f in FACTS
			if doc.get(f) and f != "ehcp"
		],
	}


def sen_status_for_user(pupil: str | None) -> str | None:
	"""The pupil's SEN status for a rule the current user's save is judged by, or None (not known) when the
	user may not read it, so that no refusal tells them what it is."""
	if not pupil or not may_read():
		return None
	return frappe.db.get_value(DOCTYPE, pupil, "sen_status") or "N"


def facts_of(pupils, fields=("looked_after", "sen_status")) -> dict[str, frappe._dict]:
	"""Server-side rules that depend on the facts (the registration test, the census) read them here, in
	one query. Whoever calls this must not pass the facts on to a user who may not read them."""
	pupils = list({p for p in pupils if p})
	if not pupils:
		return {}
	w = DocType(DOCTYPE)
	rows = (
		frappe.qb.from_(w)
		.select(w.pupil, *[w[f] for f in fields])
		.where(w.pupil.isin(pupils))
		.run(as_dict=True)
	)
	return {r.pupil: r for r in rows}

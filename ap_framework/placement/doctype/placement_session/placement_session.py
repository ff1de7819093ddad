"""A weekly timetable slot. The Placement derives which register sessions it covers
(rules.timetable.covers); queries that need a session's pupils filter on these fields."""

import frappe
from frappe.model.document import Document

# The register session -> the row's field saying the slot covers it.
COVERS = {"AM": "covers_am", "PM": "covers_pm"}


class PlacementSession(Document):
	pass


def covering(table, session: str):
	"""Query-builder criterion: the slot `table` covers `session`."""
	return table[COVERS[session]] == 1


def on_doctype_update():
	# Composite indexes the oversight queries read at LA scale (benchmarks/national_targets.py).
	# today's registers: a placement's slots on a weekday, from the index alone
	frappe.db.add_index("Placement Session", ["parent", "parenttype", "weekday", "covers_am", "covers_pm"])

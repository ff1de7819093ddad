"""The spreadsheet templates for Frappe's Data Import (providers, pupils, placements), downloaded from the
workspace. Served by the app itself rather than from /assets, which exists only once `bench build` has
linked the app's public folder: a fresh bench offers them at once."""

from __future__ import annotations

from pathlib import Path

import frappe
from frappe import _

from ap_framework import api_input
from ap_framework.rules import request

TEMPLATES = {"providers": "ap_providers.csv", "pupils": "pupils.csv", "placements": "placements.csv"}
DOCTYPES = {"providers": "AP Provider", "pupils": "Pupil", "placements": "Placement"}  # what each fills
LABELS = {"template": "Template"}
IMPORTERS = ("AP Administrator", "System Manager")  # who imports an LA's spreadsheets


@frappe.whitelist(methods=["GET"])
def download(template: str | None = None):
	"""A template's header row as a CSV file."""
	args = api_input.checked(LABELS, template=(template, request.choice(tuple(TEMPLATES), required=True)))
	if not set(IMPORTERS) & set(frappe.get_roles()):
		frappe.throw(_("Only an AP Administrator can download the import templates"), frappe.PermissionError)
	name = TEMPLATES[args.template]
	path = Path(frappe.get_app_path("ap_framework", "public", "templates", name))
	frappe.local.response.filename = name
	frappe.local.response.filecontent = path.read_bytes()
	frappe.local.response.content_type = "text/csv; charset=utf-8"
	frappe.local.response.type = "download"

"""The PDF pack: the Learner Profile print format, then the chosen attachments (the pupil's records
printed, uploaded reports such as an EHC plan), merged by pdf.py with bookmarks and page numbers.
An attachment that is not a PDF or is damaged is listed in the profile, not fatal."""

from __future__ import annotations

import frappe
from frappe import _

from ap_framework import api_input
from ap_framework.compat import printing_without_commit
from ap_framework.rules import request
from ap_framework.rules.profile import SECTIONS
from ap_framework.transfer import pdf

PRINT_FORMAT = "Learner Profile"


def _attachment_content(row) -> bytes | None:
	if row.reference_doctype:
		with printing_without_commit():
			return frappe.get_print(row.reference_doctype, row.reference_name, as_pdf=True, no_letterhead=1)
	name = frappe.db.get_value("File", {"file_url": row.file}, "name")
	if not name:
		return None
	try:
		with open(frappe.get_doc("File", name).get_full_path(), "rb") as fh:
			return fh.read()
	except OSError:
		return None


def build_pack(profile_name: str, snapshot: dict | None = None, version: int | None = None):
	"""(PDF bytes, pdf.PackReport) for a profile: as it stands, or as frozen in `snapshot`."""
	profile = frappe.get_doc("Learner Profile", profile_name)
	if snapshot is None:
		snapshot = profile.snapshot(list(SECTIONS))
	attachments = [(row.title, _attachment_content(row)) for row in profile.attachments]
	good, bad = pdf.check_attachments(attachments)
	profile.flags.pack = {
		"snapshot": snapshot,
		"version": version,
		"included": [title for title, _reader in good],
		"left_out": {title: _(why) for title, why in bad.items()},
	}
	with printing_without_commit():
		rendered = frappe.get_print(
			profile.doctype, profile.name, PRINT_FORMAT, doc=profile, as_pdf=True, no_letterhead=1
		)
	titles = [s["title"] for s in snapshot["sections"].values()] + [_("Attachments")]
	return pdf.merge(rendered, titles, good, bad)


@frappe.whitelist()
def download(profile: str | None = None) -> None:
	profile = api_input.checked(
		{"profile": "Learner Profile"}, profile=(profile, request.name(required=True))
	).profile
	doc = frappe.get_doc("Learner Profile", profile)
	doc.check_permission("print")
	content, _report = build_pack(profile)
	doc.add_comment("Info", _("PDF pack downloaded by {0}").format(frappe.session.user))
	frappe.local.response.filename = f"{doc.pupil_name} - learner profile.pdf"
	frappe.local.response.filecontent = content
	frappe.local.response.type = "pdf"

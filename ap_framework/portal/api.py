"""The few whitelisted methods the provider portal calls. Each one starts from the session user's own
provider (access.current_provider) and never takes a provider, school or user from the request."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, today

from ap_framework.portal import access, register


@frappe.whitelist(methods=["POST"])
def save_register(attendance_date: str, session: str, marks: str | list) -> dict:
	provider = access.current_provider()
	return register.save(provider, attendance_date, session, frappe.parse_json(marks) or [])


@frappe.whitelist(methods=["POST"])
def log_contact(
	placement: str,
	contact_type: str,
	summary: str,
	with_whom: str | None = None,
	work_seen: str | None = None,
	follow_up_actions: str | None = None,
	safeguarding_concern: int | str = 0,
	concern_details: str | None = None,
) -> str:
	provider = access.current_provider()
	row = access.placement_of_provider(placement, provider)
	doc = frappe.get_doc(
		{
			"doctype": "Contact Log",
			"placement": placement,
			"provider": provider,
			"contact_type": contact_type,
			"summary": summary,
			"with_whom": with_whom,
			"work_seen": work_seen,
			"follow_up_actions": follow_up_actions,
		}
	)
	doc.insert()
	if cint(safeguarding_concern):
		concern = frappe.get_doc(
			{
				"doctype": "Safeguarding Concern",
				"pupil": row.pupil,
				"placement": placement,
				"contact_log": doc.name,
				"details": concern_details,
			}
		)
		# A provider raises a concern it may not read back (the DocType is the Safeguarding Lead's alone); the
		# placement was checked to be this provider's just above, and the concern is about that placement.
		concern.insert(ignore_permissions=True)
		_tell_safeguarding_lead(concern)
	return doc.name


@frappe.whitelist(methods=["POST"])
def submit_assessment(
	placement: str,
	scores: str | list,
	assessment_date: str | None = None,
	is_baseline: int | str = 0,
	strengths: str | None = None,
	barriers: str | None = None,
	evidence: str | None = None,
	pupil_voice: str | None = None,
) -> str:
	provider = access.current_provider()
	row = access.placement_of_provider(placement, provider)
	doc = frappe.get_doc(
		{
			"doctype": "Domain Assessment",
			"placement": placement,
			"pupil": row.pupil,
			"assessment_date": assessment_date or today(),
			"is_baseline": cint(is_baseline),
			"assessor_role": "AP Provider",
			"strengths": strengths,
			"barriers": barriers,
			"evidence": evidence,
			"pupil_voice": pupil_voice,
			"scores": [
				{
					"domain": s.get("domain"),
					"score": cint(s.get("score")) if s.get("score") not in (None, "") else None,
					"evidence": s.get("evidence"),
				}
				for s in (frappe.parse_json(scores) or [])
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc.name


@frappe.whitelist(methods=["POST"])
def submit_review_input(
	placement: str, provider_input: str, pupil_words: str | None = None, progress_notes: str | None = None
) -> str:
	provider = access.current_provider()
	access.placement_of_provider(placement, provider)
	doc = frappe.get_doc(
		{
			"doctype": "Review Input",
			"placement": placement,
			"provider_input": provider_input,
			"pupil_words": pupil_words,
			"progress_notes": progress_notes,
			"input_date": today(),
		}
	)
	doc.insert()
	return doc.name


@frappe.whitelist(methods=["POST"])
def record_assurance(
	received_date: str,
	signed_by: str,
	file_url: str,
	valid_until: str | None = None,
	enhanced_dbs_checked: int | str = 0,
	single_central_record: int | str = 0,
	dsl_named: int | str = 0,
) -> str:
	"""A letter of assurance uploaded by the provider (the file first goes through Frappe's upload_file)."""
	provider = access.current_provider()
	file = _own_unattached_file(file_url)
	doc = frappe.get_doc(
		{
			"doctype": "Safeguarding Assurance",
			"provider": provider,
			"received_date": received_date,
			"valid_until": valid_until,
			"signed_by": signed_by,
			"assurance_file": file.file_url,
			"enhanced_dbs_checked": cint(enhanced_dbs_checked),
			"single_central_record": cint(single_central_record),
			"dsl_named": cint(dsl_named),
		}
	)
	doc.insert()  # Frappe attaches the uploaded file to the letter (its Attach field) on insert
	return doc.name


@frappe.whitelist(methods=["POST"])
def attach_provider_document(file_url: str) -> str:
	"""Any other document the provider keeps with its record (policies, insurance, inspection reports)."""
	provider = access.current_provider()
	file = _own_unattached_file(file_url)
	_attach(file, "AP Provider", provider)
	return file.name


def _own_unattached_file(file_url: str):
	name = frappe.db.get_value(
		"File",
		{"file_url": file_url, "owner": frappe.session.user, "attached_to_name": ("is", "not set")},
		"name",
	)
	if not name:
		frappe.throw(
			_("Upload the file first; only your own new uploads can be attached"), frappe.PermissionError
		)
	return frappe.get_doc("File", name)


def _attach(file, doctype: str, name: str) -> None:
	# The uploader owns the file; attaching it to a record of their own provider (checked by the caller) is
	# what makes its private URL readable to that record's readers and no one else.
	frappe.db.set_value(
		"File", file.name, {"attached_to_doctype": doctype, "attached_to_name": name, "is_private": 1}
	)


def _tell_safeguarding_lead(concern) -> None:
	"""The school's Safeguarding Lead is told at once; nobody else (a notification names the child). With no
	Safeguarding Lead named on the school, the LA's AP Administrators are told, so no concern goes unseen."""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	dsl = frappe.db.get_value("School", concern.school, "dsl")
	users = (
		[dsl]
		if dsl
		else frappe.get_all(
			"Has Role", filters={"role": "AP Administrator", "parenttype": "User"}, pluck="parent"
		)
	)
	if users:
		make_notification_logs(
			{
				"type": "Alert",
				"document_type": "Safeguarding Concern",
				"document_name": concern.name,
				"subject": _("Safeguarding concern raised by {0} about {1}").format(
					concern.provider, concern.pupil_name
				),
				"from_user": frappe.session.user,
			},
			users,
		)

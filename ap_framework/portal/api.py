"""The few whitelisted methods the provider portal calls. Each one starts from the session user's own
provider (access.current_provider) and never takes a provider, school or user from the request."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, today

from ap_framework import api_input, once
from ap_framework.oversight.jobs import enabled_emails, la_users
from ap_framework.portal import access, register
from ap_framework.rules import attendance, policies, request

# Labels of the arguments, as the portal's forms name them (translated when shown).
LABELS = {
	"attendance_date": "Register date",
	"session": "Session",
	"marks": "Marks",
	"placement": "Placement",
	"contact_type": "Type",
	"summary": "What happened",
	"with_whom": "With whom",
	"work_seen": "Work seen",
	"follow_up_actions": "Follow-up actions",
	"safeguarding_concern": "This is a safeguarding concern",
	"concern_details": "Concern details",
	"scores": "Scores",
	"assessment_date": "Assessment date",
	"is_baseline": "Baseline (first assessment)",
	"strengths": "Strengths",
	"barriers": "Barriers",
	"evidence": "Evidence",
	"pupil_voice": "The pupil's voice",
	"provider_input": "Your input",
	"pupil_words": "The pupil's own words",
	"progress_notes": "Progress notes",
	"received_date": "Received on",
	"valid_until": "Valid until",
	"signed_by": "Signed by",
	"file_url": "File",
	"enhanced_dbs_checked": "Enhanced DBS checked",
	"single_central_record": "Single central record",
	"dsl_named": "DSL named",
	"policy_type": "Policy",
	"dated_on": "Adopted on",
	"review_date": "Review date",
	"form_token": "Form token",
}
MAX_MARKS = 500  # a session's register: far more pupils than any provider has in one session
MARKS = request.rows(
	{
		"placement": request.name(required=True),
		"mark": request.name(max_length=4),
		"minutes_late": request.integer(),
		"note": request.text(max_length=1000),
	},
	labels={"placement": "Placement", "mark": "Mark", "minutes_late": "Minutes late", "note": "Note"},
	max_rows=MAX_MARKS,
)
SCORES = request.rows(
	{"domain": request.name(required=True), "score": request.integer(), "evidence": request.text()},
	labels={"domain": "Domain", "score": "Score", "evidence": "Evidence"},
	max_rows=100,
)
FILE_URL = request.name(required=True, max_length=1000)


@frappe.whitelist(methods=["POST"])
def save_register(
	attendance_date: str | None = None, session: str | None = None, marks: str | list | None = None
) -> dict:
	provider = access.current_provider()
	args = api_input.checked(
		LABELS,
		attendance_date=(attendance_date, request.day()),
		session=(session, request.choice(attendance.SESSIONS)),
		marks=(marks, MARKS),
	)
	return register.save(provider, args.attendance_date, args.session, args.marks)


@frappe.whitelist(methods=["POST"])
def log_contact(
	placement: str | None = None,
	contact_type: str | None = None,
	summary: str | None = None,
	with_whom: str | None = None,
	work_seen: str | None = None,
	follow_up_actions: str | None = None,
	safeguarding_concern: int | str = 0,
	concern_details: str | None = None,
	form_token: str | None = None,
) -> str:
	provider = access.current_provider()
	# Only refuses what cannot be read; the values that pass are used as posted.
	args = api_input.checked(
		LABELS,
		placement=(placement, request.name(required=True)),
		contact_type=(contact_type, request.name(required=True)),
		summary=(summary, request.text(required=True)),
		with_whom=(with_whom, request.name()),
		work_seen=(work_seen, request.text()),
		follow_up_actions=(follow_up_actions, request.text()),
		safeguarding_concern=(safeguarding_concern, request.flag()),
		concern_details=(concern_details, request.text()),
		form_token=(form_token, once.TOKEN),
	)
	row = access.placement_of_provider(placement, provider)
	return once.create(
		"log_contact",
		args.form_token,
		lambda: _log_contact(
			row,
			provider,
			placement,
			contact_type,
			summary,
			with_whom,
			work_seen,
			follow_up_actions,
			safeguarding_concern,
			concern_details,
		),
	)


def _log_contact(
	row,
	provider,
	placement,
	contact_type,
	summary,
	with_whom,
	work_seen,
	follow_up_actions,
	safeguarding_concern,
	concern_details,
):
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
	return doc


@frappe.whitelist(methods=["POST"])
def submit_assessment(
	placement: str | None = None,
	scores: str | list | None = None,
	assessment_date: str | None = None,
	is_baseline: int | str = 0,
	strengths: str | None = None,
	barriers: str | None = None,
	evidence: str | None = None,
	pupil_voice: str | None = None,
	form_token: str | None = None,
) -> str:
	provider = access.current_provider()
	args = api_input.checked(
		LABELS,
		placement=(placement, request.name(required=True)),
		scores=(scores, SCORES),
		assessment_date=(assessment_date, request.day()),
		is_baseline=(is_baseline, request.flag()),
		strengths=(strengths, request.text()),
		barriers=(barriers, request.text()),
		evidence=(evidence, request.text()),
		pupil_voice=(pupil_voice, request.text()),
		form_token=(form_token, once.TOKEN),
	)
	row = access.placement_of_provider(args.placement, provider)
	return once.create("submit_assessment", args.form_token, lambda: _assess(args, row))


def _assess(args, row):
	doc = frappe.get_doc(
		{
			"doctype": "Domain Assessment",
			"placement": args.placement,
			"pupil": row.pupil,
			"assessment_date": args.assessment_date or today(),
			"is_baseline": args.is_baseline,
			"assessor_role": "AP Provider",
			"strengths": args.strengths,
			"barriers": args.barriers,
			"evidence": args.evidence,
			"pupil_voice": args.pupil_voice,
			"scores": args.scores,
		}
	)
	doc.insert()
	doc.submit()
	return doc


@frappe.whitelist(methods=["POST"])
def submit_review_input(
	placement: str | None = None,
	provider_input: str | None = None,
	pupil_words: str | None = None,
	progress_notes: str | None = None,
	form_token: str | None = None,
) -> str:
	provider = access.current_provider()
	args = api_input.checked(
		LABELS,
		placement=(placement, request.name(required=True)),
		provider_input=(provider_input, request.text(required=True)),
		pupil_words=(pupil_words, request.text()),
		progress_notes=(progress_notes, request.text()),
		form_token=(form_token, once.TOKEN),
	)
	access.placement_of_provider(args.placement, provider)
	return once.create("submit_review_input", args.form_token, lambda: _review_input(args))


def _review_input(args):
	doc = frappe.get_doc(
		{
			"doctype": "Review Input",
			"placement": args.placement,
			"provider_input": args.provider_input,
			"pupil_words": args.pupil_words,
			"progress_notes": args.progress_notes,
			"input_date": today(),
		}
	)
	return doc.insert()


@frappe.whitelist(methods=["POST"])
def record_assurance(
	received_date: str | None = None,
	signed_by: str | None = None,
	file_url: str | None = None,
	valid_until: str | None = None,
	enhanced_dbs_checked: int | str = 0,
	single_central_record: int | str = 0,
	dsl_named: int | str = 0,
	form_token: str | None = None,
) -> str:
	"""A letter of assurance uploaded by the provider (the file first goes through Frappe's upload_file)."""
	provider = access.current_provider()
	args = api_input.checked(
		LABELS,
		received_date=(received_date, request.day(required=True)),
		signed_by=(signed_by, request.name(required=True)),
		file_url=(file_url, FILE_URL),
		valid_until=(valid_until, request.day()),
		enhanced_dbs_checked=(enhanced_dbs_checked, request.flag()),
		single_central_record=(single_central_record, request.flag()),
		dsl_named=(dsl_named, request.flag()),
		form_token=(form_token, once.TOKEN),
	)
	return once.create("record_assurance", args.form_token, lambda: _assurance(args, provider))


def _assurance(args, provider):
	file = _own_unattached_file(args.file_url)
	doc = frappe.get_doc(
		{
			"doctype": "Safeguarding Assurance",
			"provider": provider,
			"received_date": args.received_date,
			"valid_until": args.valid_until,
			"signed_by": args.signed_by,
			"assurance_file": file.file_url,
			"enhanced_dbs_checked": args.enhanced_dbs_checked,
			"single_central_record": args.single_central_record,
			"dsl_named": args.dsl_named,
		}
	)
	return doc.insert()  # Frappe attaches the uploaded file to the letter (its Attach field) on insert


@frappe.whitelist(methods=["POST"])
def record_policy(
	policy_type: str | None = None,
	dated_on: str | None = None,
	review_date: str | None = None,
	file_url: str | None = None,
	form_token: str | None = None,
) -> str:
	"""One of the policies the commissioner requires, uploaded by the provider (the file first goes through
	Frappe's upload_file); a newer record of a type replaces the older one as the policy that counts."""
	provider = access.current_provider()
	args = api_input.checked(
		LABELS,
		policy_type=(policy_type, request.choice(policies.REQUIRED_POLICIES, required=True)),
		dated_on=(dated_on, request.day(required=True)),
		review_date=(review_date, request.day(required=True)),
		file_url=(file_url, FILE_URL),
		form_token=(form_token, once.TOKEN),
	)
	return once.create("record_policy", args.form_token, lambda: _policy(args, provider))


def _policy(args, provider):
	file = _own_unattached_file(args.file_url)
	doc = frappe.get_doc(
		{
			"doctype": "Provider Policy",
			"provider": provider,
			"policy_type": args.policy_type,
			"dated_on": args.dated_on,
			"review_date": args.review_date,
			"policy_file": file.file_url,
		}
	)
	doc.insert()  # Frappe attaches the uploaded file to the policy (its Attach field) on insert
	return doc


@frappe.whitelist(methods=["POST"])
def attach_provider_document(file_url: str | None = None, form_token: str | None = None) -> str:
	"""Any other document the provider keeps with its record (policies, insurance, inspection reports)."""
	provider = access.current_provider()
	args = api_input.checked(LABELS, file_url=(file_url, FILE_URL), form_token=(form_token, once.TOKEN))
	return once.create("attach_provider_document", args.form_token, lambda: _attach_own(args, provider))


def _attach_own(args, provider):
	file = _own_unattached_file(args.file_url)
	_attach(file, "AP Provider", provider)
	return file


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
	Safeguarding Lead named on the school (or one no longer enabled), the LA's AP Administrators are told,
	so no concern goes unseen."""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	dsl = frappe.db.get_value("School", concern.school, "dsl")
	users = list(enabled_emails([dsl])) or [user for user, _email in la_users(("AP Administrator",))]
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

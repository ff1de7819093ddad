"""The receiving side: a partner posts a frozen profile; we keep it as an Incoming Profile awaiting a
named person's acceptance. Exactly once: the idempotency key is unique, so a retried or duplicated
send answers with the record already made."""

from __future__ import annotations

import base64
import binascii
import json

import frappe
from frappe import _
from frappe.utils import get_fullname, now_datetime

from ap_framework import api_input, once
from ap_framework.rules import request
from ap_framework.rules import transfer as rules
from ap_framework.validation import throw_problems


def _partner_for(user: str):
	"""The active Transfer Partner whose receiving user is `user`, or a 403."""
	if user == "Guest":
		raise frappe.AuthenticationError(_("Sign in with the API key this site issued to you"))
	rows = frappe.get_all(
		"Transfer Partner",
		filters={"receiving_user": user, "is_active": 1},
		fields=["name", "school", "direction", "allow_safeguarding"],
		limit=1,
	)
	if not rows or not rules.allows(rows[0].direction, "receive"):
		frappe.throw(_("This site takes no profiles from you"), frappe.PermissionError)
	return rows[0]


LABELS = {
	"payload": "Transfer",
	"keys": "Idempotency keys",
	"name": "Incoming Profile",
	"reason": "Reason",
	"form_token": "Form token",
}
NAME = request.name(required=True)


@frappe.whitelist(methods=["POST"])
def receive(payload: dict | str | None = None) -> dict:
	partner = _partner_for(frappe.session.user)
	payload = api_input.checked(LABELS, payload=(payload, request.record())).payload
	allowed = rules.sections_of(
		frappe.get_all(
			"Transfer Section",
			filters={"parent": partner.name, "parenttype": "Transfer Partner"},
			pluck="section",
		)
	)
	throw_problems(
		None,
		rules.check_payload(payload, allowed, bool(partner.allow_safeguarding)),
		title=_("The profile from {0} was refused").format(partner.name),
	)
	key = payload["idempotency_key"]
	existing = frappe.db.get_value("Incoming Profile", {"idempotency_key": key}, "name")
	if existing:
		return _duplicate(existing, partner.name)
	doc = _incoming(payload, partner)
	try:
		# The partner's user holds no role here: it is authorised by its Transfer Partner record above.
		doc.insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		# The same send racing itself: the unique key let the other request in. Nothing of this request
		# is written yet; a fresh transaction sees the record the other one committed, and answers with it.
		frappe.db.rollback()
		frappe.clear_messages()
		return _duplicate(
			frappe.db.get_value("Incoming Profile", {"idempotency_key": key}, "name"), partner.name
		)
	if payload.get("pack"):
		_attach_pack(doc, payload["pack"])
	doc.add_comment(
		"Info",
		_("Received from {0} (their {1}, version {2}): {3}").format(
			partner.name,
			payload.get("sender_reference"),
			payload.get("version"),
			", ".join(payload["snapshot"]["sections"]),
		),
	)
	if doc.assigned_to:
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": doc.assigned_to,
				"reference_type": doc.doctype,
				"reference_name": doc.name,
				"description": _("Accept or reject the learner profile of {0} from {1}").format(
					doc.pupil_name, partner.name
				),
			}
		).insert(ignore_permissions=True)  # a system notice to the named person, not the partner's own record
	return {"status": "received", "reference": doc.name}


def _duplicate(name: str, partner: str) -> dict:
	frappe.get_doc("Incoming Profile", name).add_comment(
		"Info", _("The same send arrived again from {0}; nothing new was created").format(partner)
	)
	return {"status": "duplicate", "reference": name}


def _incoming(payload: dict, partner):
	snapshot = payload["snapshot"]
	pupil = snapshot["pupil"]
	upn = pupil.get("upn") or None
	codes = dict(frappe.get_all("Development Domain", fields=["code", "name"], as_list=True))
	rows = (snapshot["sections"].get("domains") or {}).get("rows") or []
	role_field = "dsl" if payload["channel"] == "Safeguarding" else "ap_lead"
	return frappe.get_doc(
		{
			"doctype": "Incoming Profile",
			"partner": partner.name,
			"channel": payload["channel"],
			"school": partner.school,
			"assigned_to": frappe.db.get_value("School", partner.school, role_field),
			"status": "Awaiting Acceptance",
			"received_on": now_datetime(),
			"upn": upn,
			"first_name": pupil["first_name"],
			"last_name": pupil["last_name"],
			"pupil_name": f"{pupil['first_name']} {pupil['last_name']}",
			"date_of_birth": pupil["date_of_birth"],
			"pupil": frappe.db.get_value("Pupil", {"upn": upn}, "name") if upn else None,
			"domain_history": rules.domain_history(rows, codes),
			"sender_site": payload.get("sender"),
			"sender_reference": payload.get("sender_reference"),
			"version": payload.get("version"),
			"framework_version": payload.get("framework_version"),
			"idempotency_key": payload["idempotency_key"],
			"snapshot": json.dumps(snapshot, indent=1),
		}
	)


def _attach_pack(doc, encoded: str) -> None:
	try:
		content = base64.b64decode(encoded, validate=True)
	except (binascii.Error, ValueError):
		doc.add_comment("Info", _("The PDF pack that came with this profile could not be read"))
		return
	f = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{doc.name}-pack.pdf",
			"attached_to_doctype": doc.doctype,
			"attached_to_name": doc.name,
			"attached_to_field": "pack",
			"is_private": 1,
			"content": content,
		}
	).insert(ignore_permissions=True)  # stored for the school's staff; the partner user cannot read it
	doc.db_set("pack", f.file_url, update_modified=False)


@frappe.whitelist(methods=["POST"])
def statuses(keys: list | str | None = None) -> dict:
	"""What became of the profiles a partner sent us, by idempotency key: received (and, on the
	safeguarding channel, receipt confirmed), accepted or rejected. A partner learns only of its own sends."""
	partner = _partner_for(frappe.session.user)
	keys = api_input.checked(LABELS, keys=(keys, request.names()))["keys"]  # not .keys: a dict method
	if len(keys) > rules.STATUS_BATCH:
		frappe.throw(
			_("Ask about at most {0} profiles at a time").format(rules.STATUS_BATCH),
			frappe.ValidationError,
			title=_("keys"),
		)
	rows = (
		frappe.get_all(
			"Incoming Profile",
			filters={"partner": partner.name, "idempotency_key": ("in", keys)},
			fields=[
				"name",
				"idempotency_key",
				"status",
				"receipt_confirmed_on",
				"receipt_confirmed_by",
				"decided_on",
				"decided_by",
				"rejection_reason",
			],
		)
		if keys
		else []
	)
	return {
		"protocol": rules.PROTOCOL,
		"profiles": {
			r.idempotency_key: {
				"reference": r.name,
				"status": r.status,
				"receipt_confirmed_on": _stamp(r.receipt_confirmed_on),
				"receipt_confirmed_by": _who(r.receipt_confirmed_by),
				"decided_on": _stamp(r.decided_on),
				"decided_by": _who(r.decided_by),
				"rejection_reason": r.rejection_reason,
			}
			for r in rows
		},
	}


def _stamp(value) -> str | None:
	return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def _who(user: str | None) -> str | None:
	"""A person's name, not their login: the partner has no account here to link to."""
	return get_fullname(user) if user else None


# ---- the named person confirms receipt, and decides ---------------------------------------------------
def _named(name: str):
	"""The incoming profile, if the user is the person named to act on it (or an AP Administrator)."""
	doc = frappe.get_doc("Incoming Profile", name)
	doc.check_permission("read")
	user = frappe.session.user
	if (
		doc.assigned_to != user
		and "AP Administrator" not in frappe.get_roles(user)
		and user != "Administrator"
	):
		frappe.throw(
			_("Only {0}, named to accept it, can decide on this profile").format(
				doc.assigned_to or _("an AP Administrator")
			),
			frappe.PermissionError,
		)
	return doc


def _decidable(name: str):
	doc = _named(name)
	if doc.status != "Awaiting Acceptance":
		frappe.throw(_("This profile was already {0}").format(_(doc.status).lower()), frappe.ValidationError)
	return doc


def _receipt(doc) -> dict:
	"""Receipt confirmed now by the user, unless it already was (a decision implies it)."""
	if doc.receipt_confirmed_on:
		return {}
	return {"receipt_confirmed_on": now_datetime(), "receipt_confirmed_by": frappe.session.user}


@frappe.whitelist(methods=["POST"])
def confirm_receipt(name: str | None = None) -> dict:
	"""The named person confirms the profile reached them. The sender learns of it when it next asks
	(ap_framework/transfer/follow_up.py); on the safeguarding channel it is chased until then."""
	doc = _named(api_input.checked(LABELS, name=(name, NAME)).name)
	values = _receipt(doc)
	if values:
		doc.db_set(values)  # authorised by _named; the record itself stays read-only for everyone
		doc.add_comment("Info", _("Receipt confirmed by {0}").format(get_fullname(frappe.session.user)))
	return {
		"receipt_confirmed_on": str(doc.receipt_confirmed_on),
		"receipt_confirmed_by": doc.receipt_confirmed_by,
	}


@frappe.whitelist(methods=["POST"])
def accept(name: str | None = None, form_token: str | None = None) -> dict:
	"""Accept: link the pupil matched by UPN, or create the pupil at our school. The sender's scores stay
	as history on the incoming profile; they do not become our assessments. A second click of Accept
	(the same form token) answers the pupil the first made, instead of a second pupil."""
	args = api_input.checked(LABELS, name=(name, NAME), form_token=(form_token, once.TOKEN))
	pupil = once.create("accept_incoming_profile", args.form_token, lambda: _accept(args.name))
	return {"status": "Accepted", "pupil": pupil}


def _accept(name: str) -> frappe._dict:
	doc = _decidable(name)
	pupil = doc.pupil
	if not pupil:
		pupil = (
			frappe.get_doc(
				{
					"doctype": "Pupil",
					"first_name": doc.first_name,
					"last_name": doc.last_name,
					"date_of_birth": doc.date_of_birth,
					"upn": doc.upn,
					"school": doc.school,
				}
			)
			.insert()  # as the named person, with their own permissions
			.name
		)
	# The decision was authorised by _decidable; the record itself stays read-only for everyone.
	doc.db_set(
		{
			**_receipt(doc),
			"status": "Accepted",
			"pupil": pupil,
			"decided_by": frappe.session.user,
			"decided_on": now_datetime(),
		}
	)
	doc.add_comment("Info", _("Accepted by {0}; pupil {1}").format(frappe.session.user, pupil))
	_close_todos(doc)
	return frappe._dict(doctype="Pupil", name=pupil)


@frappe.whitelist(methods=["POST"])
def reject(name: str | None = None, reason: str | None = None) -> dict:
	args = api_input.checked(LABELS, name=(name, NAME), reason=(reason, request.text()))
	name, reason = args.name, args.reason
	if not (reason or "").strip():
		frappe.throw(_("Give a reason for rejecting the profile"), frappe.ValidationError, title=_("Reason"))
	doc = _decidable(name)
	doc.db_set(
		{
			**_receipt(doc),
			"status": "Rejected",
			"rejection_reason": reason.strip(),
			"decided_by": frappe.session.user,
			"decided_on": now_datetime(),
		}
	)
	doc.add_comment("Info", _("Rejected by {0}: {1}").format(frappe.session.user, reason.strip()))
	_close_todos(doc)
	return {"status": "Rejected"}


def _close_todos(doc) -> None:
	frappe.db.set_value(
		"ToDo",
		{"reference_type": doc.doctype, "reference_name": doc.name, "status": "Open"},
		"status",
		"Closed",
	)

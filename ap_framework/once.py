"""Every create from a form happens once: a double tap, a retry over a bad connection or two tabs of one
form give back the record the first submit made, never a second one.

A form carries a token issued when it is rendered (`form_token()`, rendered into the page); its
whitelisted method checks it (`TOKEN`) and makes its record through `create(method, token, make)`.

How: the first submit claims the token by inserting a row of **AP Submission** keyed by (user, form,
token), in the same transaction as the record it makes. A second submit's insert of the same key waits
on the database's own lock of that key until the first commits, then finds it taken and answers the
first record. If the first fails and rolls back, its claim goes with it, so the second goes ahead (and
a corrected form can be sent again with the same token). The key includes the user, so a token names
nothing of anyone else's; without a token (a script, an older page) the method creates as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import now_datetime

from ap_framework import api_input
from ap_framework.exceptions import ChangedMeanwhileError
from ap_framework.rules import request

TOKEN = request.matching(r"[A-Za-z0-9_-]{16,64}", "a form token (16 to 64 letters, digits, - or _)")
KEEP_DAYS = 30  # a form left open longer than this is submitted afresh


def form_token() -> str:
	"""A new token for a form being rendered."""
	return frappe.generate_hash(length=32)


def create(method: str, token: str | None, make: Callable[[], object]) -> str:
	"""The name of the record `make()` creates, made once per (user, method, token): a second call with
	the same token answers the first call's record without calling `make`."""
	if not token:
		return make().name
	user = frappe.session.user
	key = hashlib.sha256(f"{user}\n{method}\n{token}".encode()).hexdigest()[:40]
	if not _claim(key, user, method, token):
		return _first(key)
	doc = make()
	t = DocType("AP Submission")
	(
		frappe.qb.update(t)
		.set(t.reference_doctype, doc.doctype)
		.set(t.reference_name, doc.name)
		.where(t.name == key)
		.run()
	)
	return doc.name


def _claim(key: str, user: str, method: str, token: str) -> bool:
	now = now_datetime()
	t = DocType("AP Submission")
	try:
		(
			frappe.qb.into(t)
			.columns(
				t.name,
				t.creation,
				t.modified,
				t.owner,
				t.modified_by,
				t.docstatus,
				t.idx,
				t.user,
				t.method,
				t.token,
			)
			.insert(key, now, now, user, user, 0, 0, user, method, token)
			.run()
		)
	except Exception as e:
		if frappe.db.is_primary_key_violation(e):
			return False  # claimed, and committed, by the submit before this one
		raise
	return True


def _first(key: str) -> str:
	# A locking read sees the row the first submit committed after this request's snapshot began. A
	# shared lock, not "for update": the other submits of the token read it at the same moment, and
	# exclusive locks wanted by several holders of the shared one would deadlock each other.
	rows = frappe.db.sql(
		"select reference_name from `tabAP Submission` where name = %s lock in share mode", key
	)
	return rows[0][0]


def forget_old() -> None:
	"""Daily: tokens older than KEEP_DAYS protect nothing any more."""
	t = DocType("AP Submission")
	frappe.qb.from_(t).delete().where(t.creation < now_datetime() - timedelta(days=KEEP_DAYS)).run()


# ---- desk actions: a workflow action clicked twice (or by two officers at once) happens once ----------
WORKFLOW_DOCTYPES = ("Placement", "QA Audit", "Pupil Plan")


@frappe.whitelist(methods=["POST"])
def apply_workflow(doc: str | dict | None = None, action: str | None = None):
	"""Frappe's workflow action (the desk's action buttons call it; hooks.override_whitelisted_methods
	points it here), once for this app's workflows. A second click of "Approve" on a placement, whether
	it arrives while the first is saving or after, answers the approved placement (the approval, and
	the Purchase Order it raises on an ERPNext site, happen once) instead of "modified after you opened
	it" or "not a valid workflow action". A record changed meanwhile to anything else is a 409 saying
	what it is now, who changed it and when. Other DocTypes go to Frappe's own method unchanged."""
	from frappe.model import workflow

	args = api_input.checked(
		{"doc": "Document", "action": "Action"},
		doc=(doc, request.document()),
		action=(action, request.name(required=True)),
	)
	posted = frappe._dict(args.doc)
	if posted.doctype not in WORKFLOW_DOCTYPES or not frappe.db.exists(posted.doctype, posted.name):
		return workflow.apply_workflow(args.doc, args.action)
	flow = workflow.get_workflow(posted.doctype)
	field = flow.workflow_state_field
	# This request's snapshot, then (waiting for any save of the record in progress) the latest committed.
	snapshot = frappe.db.get_value(posted.doctype, posted.name, [field, "modified"])
	latest = frappe.db.get_value(
		posted.doctype, posted.name, [field, "modified", "modified_by"], as_dict=True, for_update=True
	)
	seen = posted.get(field) or snapshot[0]  # the state the user acted on
	if seen == latest[field] and tuple(snapshot) == (latest[field], latest.modified):
		return workflow.apply_workflow(args.doc, args.action)
	current = frappe.get_doc(posted.doctype, posted.name, for_update=True)  # the latest, under the lock
	current.check_permission("read")
	done = any(
		t.state == seen and t.action == args.action and t.next_state == latest[field]
		for t in flow.transitions
	)
	if done and seen != latest[field]:
		return current  # the very action, done a moment ago by this click's twin or a colleague
	frappe.throw(
		_(
			"{0} {1} was changed by {2} at {3} while you had it open: it is now {4}. Reload it and choose again."
		).format(_(posted.doctype), posted.name, latest.modified_by, latest.modified, _(latest[field] or "")),
		ChangedMeanwhileError,
		title=_("Changed meanwhile"),
	)

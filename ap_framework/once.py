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
from frappe.query_builder import DocType
from frappe.utils import now_datetime

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

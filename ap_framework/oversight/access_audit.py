"""The access audit: every read of a safeguarding record is written to the Safeguarding Access Log.

Audited (ap_framework/rules/access.py: AUDITED): Pupil Welfare, Safeguarding Concern, Risk Assessment,
and Profile Transfer / Incoming Profile on the safeguarding channel.

How a read is seen, door by door (Frappe v15 and v16 alike):
- One record (desk form, REST v1/v2, frappe.client.get, print view, PDF, a file attached to the record,
  email): every one of these asks frappe.permissions.has_permission about the document, which calls this
  app's `has_permission` hook for the DocType (has_controller_permissions). The hook (`has_permission`
  below) takes the scoping decision as before and notes the check. The hook runs before Frappe's role,
  User Permission and share checks, so it cannot know the outcome; that is settled when the request ends
  by asking frappe.has_permission again, the same question with the same answer.
  Frappe answers True for Administrator before any hook runs, so Administrator's reads are seen through
  the document's own `onload` (desk form) and `before_print` (print, PDF) events and through the REST
  path itself (`rules.access.record_read`). A print made with a share key or a website permission runs
  `before_print` too, and is recorded as granted.
- Lists (list view, report view, REST lists, counts, group-by, link search, export): every query goes
  through the `permission_query_conditions` hook. Rows are not seen there, so when the request ends the
  answer it built is read: where the answer names its records (`rules.access.names_in_answer`), one entry
  per record; where it does not (a count, an export file, rows without their name), one Query entry per
  request and door with the filters asked for and the number of rows where it can be told.
- Reports of this app that show audited facts call `record_rows()` themselves.

When entries are written: at the end of the request, in the app's `after_request` hook, after Frappe has
committed or rolled back the request's own transaction (frappe/app.py). Frappe rolls back GET requests,
and a denied read ends in a rollback, so the entries are written there in a transaction of their own and
committed at once (as Frappe's own Access Log commits on GET, core/doctype/access_log/access_log.py).
That commit holds nothing but the entries. If they cannot be written, the answer is withheld: a
request that read a safeguarding record gets 503 instead of the record (no entry, no data).
Outside a request (background jobs, the scheduler, a console) the entries go into the job's own
transaction just before it commits, and vanish with it if it rolls back.

Always on the primary database. The reports, cards and exports read from the site's replica where it has
one (`frappe.read_only()` makes frappe.db the replica for the call and keeps the primary aside as
frappe.local.primary_db; compat.py 12), so many reads are noted while frappe.db is the replica. A
request's entries are written after the call, when frappe.db is the primary again; a job's join the
primary's transaction, not the replica's (whose connection is closed when the read ends). Where a whole
request reads from the replica (Frappe's reads during maintenance), its transaction is read-only and
the entries cannot be written anywhere: a safeguarding record is withheld then (503), as above.
"""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import get_fullname, now_datetime

from ap_framework import permissions
from ap_framework.rules import access
from ap_framework.scope import SCOPE_FIELDS
from ap_framework.transfer import access as transfer_access

LOG = "Safeguarding Access Log"
_STATE = "ap_access_audit"
# Request arguments that say what a list-type request asked for (kept on a Query entry).
_QUERY_ARGS = (
	"doctype",
	"fields",
	"filters",
	"or_filters",
	"group_by",
	"order_by",
	"start",
	"limit",
	"limit_start",
	"limit_page_length",
	"page_length",
	"txt",
	"fieldname",
	"file_format_type",
	"report_name",
)


# ---- the hooks -----------------------------------------------------------------------------------
def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	"""The scoping decision (permissions.py, transfer/access.py), unchanged; a read of an audited
	record by the session's own user is noted on the way."""
	if doc.doctype in access.CHANNELLED:
		decision = transfer_access.has_permission(doc, ptype, user, debug)
	elif doc.doctype in SCOPE_FIELDS:
		decision = permissions.has_permission(doc, ptype, user, debug)
	else:
		decision = False  # an audited DocType not yet scoped in scope.py: deny by default
	# A check made on someone else's behalf (may the assignee read this?) is not a read by anyone.
	if ptype in access.READ_PTYPES and (user or frappe.session.user) == frappe.session.user and _audited(doc):
		_note_check(doc, ptype)
	return decision


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""The scoping condition, unchanged; a list query on an audited DocType is noted on the way."""
	if doctype in access.CHANNELLED:
		condition = transfer_access.query_conditions(user, doctype)
	elif doctype in SCOPE_FIELDS:
		condition = permissions.query_conditions(user, doctype)
	else:
		condition = "1=0"
	if (user or frappe.session.user) == frappe.session.user and doctype in access.AUDITED and not _settling():
		_note_query(doctype)
	return condition


def on_load(doc, method=None):
	"""doc_events onload: the desk form loaded this record (Administrator included)."""
	if _audited(doc):
		_note_shown(doc)


def before_print(doc, method=None, *args, **kwargs):
	"""doc_events before_print: this record is being printed or made into a PDF, whoever asks and
	however they were let in (role, share key, website permission, Administrator)."""
	if _audited(doc):
		_note_shown(doc)


def after_request(response=None, request=None):
	"""hooks.after_request: write what the request read (see the module docstring)."""
	read = access.record_read(getattr(request, "path", None), getattr(request, "method", None))
	if not (read and read[0] in access.AUDITED and response is not None and response.status_code < 400):
		read = None
	if getattr(frappe.local, _STATE, None) is None and read is None:
		return
	if not getattr(frappe.local, "db", None):
		_clear()
		return
	state, entries = _state(), None
	# Frappe has committed or rolled back the request's own work, except after a failed GET on v15
	# (frappe/app.py rolls back only POST/PUT/DELETE/PATCH there): drop that, so the commit below
	# holds the entries and nothing else.
	frappe.db.rollback()
	try:
		if read:
			_note_rest_read(*read)
		entries = _entries(state, response)
		_write(entries)
		frappe.db.commit()  # nosemgrep: the request's own transaction ended before this hook ran
	except Exception:
		frappe.db.rollback()
		# deferred: nothing commits after this hook
		frappe.log_error(title="Safeguarding access audit could not be written", defer_insert=True)
		frappe.logger("ap_framework").exception("Safeguarding access audit could not be written")
		if response is not None and (entries is None or any(e["outcome"] == "Granted" for e in entries)):
			_withhold(response)
	finally:
		_clear()


def record_rows(doctype: str, names: list[str], door: str | None = None) -> None:
	"""For code that shows audited facts without asking Frappe's permission checks (a report reading
	with the query builder, a learner profile copying them in): the session user was shown these records,
	through `door` (else the request's own)."""
	if doctype not in access.AUDITED or not names:
		return
	door = door or _door()
	state = _state()
	for name in names:
		_read(state, doctype, name, door).shown = True


# ---- noting --------------------------------------------------------------------------------------
def _settling() -> bool:
	return getattr(frappe.local, "ap_access_audit_settling", False)


def _audited(doc) -> bool:
	if doc.doctype not in access.AUDITED or _settling():
		return False
	if doc.doctype in access.CHANNELLED:
		return doc.get("channel") == access.SAFEGUARDING_CHANNEL
	return True


def _state() -> dict:
	state = getattr(frappe.local, _STATE, None)
	if state is None:
		# reads: key -> Read; docs: key -> the document in hand; at: key -> when; queries: (user, doctype,
		# door) -> when
		state = {"reads": {}, "docs": {}, "at": {}, "queries": {}, "from_query": set(), "rows": {}}
		setattr(frappe.local, _STATE, state)
		if not _in_request():
			# Background job or console: the entries join the job's transaction, written as it commits,
			# and are dropped with it if it rolls back. The primary's transaction: a read noted inside
			# frappe.read_only() finds frappe.db pointing at the replica.
			primary = _primary()
			primary.before_commit.add(_flush_in_transaction)
			primary.after_rollback.add(_clear)
	return state


def _primary():
	"""The primary database connection: frappe.db, except inside a frappe.read_only() block on a site
	with a replica, where frappe.db is the replica and Frappe keeps the primary as local.primary_db."""
	replica = getattr(frappe.local, "replica_db", None)
	if replica is not None and frappe.local.db is replica:
		return frappe.local.primary_db
	return frappe.local.db


def _in_request() -> bool:
	return bool(getattr(frappe.local, "request", None))


def _door() -> str:
	if not _in_request():
		return "Background"
	return access.door(frappe.local.request.path, frappe.form_dict.get("cmd"))


def _read(state: dict, doctype: str, name: str, door: str) -> access.Read:
	user = frappe.session.user
	k = access.key(user, doctype, name, door)
	if k not in state["reads"]:
		state["reads"][k] = access.Read(user, doctype, str(name), door)
		state["at"][k] = now_datetime()
	return state["reads"][k]


def _note_check(doc, ptype: str) -> None:
	state = _state()
	read = _read(state, doc.doctype, doc.name, _door())
	read.checked.add(ptype)
	state["docs"][access.key(read.user, read.doctype, read.name, read.door)] = doc


def _note_shown(doc) -> None:
	state = _state()
	read = _read(state, doc.doctype, doc.name, _door())
	read.shown = True
	state["docs"].setdefault(access.key(read.user, read.doctype, read.name, read.door), doc)


def _note_rest_read(doctype: str, name: str) -> None:
	"""A REST read answered with success: recorded even where no hook saw it (Administrator)."""
	state = _state()
	if access.key(frappe.session.user, doctype, name, "API") in state["reads"]:
		return
	fields = ["name", "channel"] if doctype in access.CHANNELLED else ["name"]
	values = frappe.db.get_value(doctype, name, fields, as_dict=True)
	if not values or (doctype in access.CHANNELLED and values.channel != access.SAFEGUARDING_CHANNEL):
		return
	_read(state, doctype, name, "API").shown = True


def _note_query(doctype: str) -> None:
	state = _state()
	state["queries"].setdefault((frappe.session.user, doctype, _door()), now_datetime())


# ---- settling and writing ------------------------------------------------------------------------
def _flush_in_transaction() -> None:
	state = getattr(frappe.local, _STATE, None)
	try:
		if state:
			_write(_entries(state, None))
	finally:
		_clear()


def _clear() -> None:
	if hasattr(frappe.local, _STATE):
		delattr(frappe.local, _STATE)


def _entries(state: dict, response) -> list[dict]:
	"""Settle each read's outcome and turn the reads and queries into log entries."""
	request = getattr(frappe.local, "request", None)
	common = {
		"http_method": getattr(request, "method", None),
		"http_status": getattr(response, "status_code", None) or 0,
		"request_path": access.shorten(getattr(request, "path", None), 1000),
	}
	_settle(state)
	named = _add_query_reads(state)
	reads = state["reads"]
	where = _where(reads, state["docs"])
	people = {}
	for user in {r.user for r in reads.values()} | {q[0] for q in state["queries"]}:
		people[user] = {
			"user": user,
			"full_name": get_fullname(user),
			"roles": access.roles_text(frappe.get_roles(user)),
		}
	entries = []
	for k, read in reads.items():
		pupil, school = where.get((read.doctype, read.name), (None, None))
		entries.append(
			{
				**common,
				**people[read.user],
				"accessed_on": state["at"][k],
				"outcome": read.outcome,
				"door": read.door,
				"access": "Query" if k in state["from_query"] else "Record",
				"reference_doctype": read.doctype,
				"reference_name": read.name,
				"pupil": pupil,
				"school": school,
				"permission_types": ", ".join(sorted(read.granted or read.checked)) or None,
			}
		)
	for q, at in state["queries"].items():
		if q in named:
			continue
		user, doctype, door = q
		entries.append(
			{
				**common,
				**people[user],
				"accessed_on": at,
				"outcome": "Granted",
				"door": door,
				"access": "Query",
				"reference_doctype": doctype,
				"school": _own_school(user),
				"rows": _text(state["rows"].get(q)),
				"query": _query_text(),
			}
		)
	return entries


def _settle(state: dict) -> None:
	"""Ask Frappe the question each hook call was part of, now that it can be answered whole."""
	frappe.local.ap_access_audit_settling = True
	try:
		for k, read in state["reads"].items():
			doc = state["docs"].get(k)
			if doc is None:
				continue
			for ptype in read.checked:
				if frappe.has_permission(read.doctype, ptype, doc, user=read.user):
					read.granted.add(ptype)
	finally:
		frappe.local.ap_access_audit_settling = False


def _add_query_reads(state: dict) -> set:
	"""A list-type answer that names its records becomes one entry per record named. Returns the
	queries so answered (the rest are written as Query entries naming no record)."""
	named = set()
	if not state["queries"] or not _in_request():
		return named
	answer, asked = _answer(), _asked_doctype()
	for q, at in state["queries"].items():
		user, doctype, door = q
		if doctype != asked:
			continue
		state["rows"][q] = access.rows_in_answer(answer)
		names = access.names_in_answer(
			answer, access.method_of(frappe.local.request.path) or frappe.form_dict.get("cmd")
		)
		if names is None and door == "Export":
			# The file cannot be read back, but the question can be asked again: each record it held is
			# on the log, and the Query entry keeps what was asked for.
			names = _exported(doctype)
			state["rows"][q] = len(names) if names is not None else None
		elif names is not None:
			named.add(q)
		if names is None:
			continue
		if doctype in access.CHANNELLED and names:
			names = frappe.get_all(
				doctype,
				filters={"name": ("in", names), "channel": access.SAFEGUARDING_CHANNEL},
				pluck="name",
			)
		for name in names:
			k = access.key(user, doctype, name, door)
			if k not in state["reads"]:
				state["reads"][k] = access.Read(user, doctype, str(name), door, shown=True)
				state["at"][k] = at
				state["from_query"].add(k)
	return named


def _exported(doctype: str) -> list[str] | None:
	"""The records an export's file held: the export's own filters (or the rows ticked), asked again for
	names only, as the same user, in one query. None when Frappe refuses the question (no file was made)."""
	fd = frappe.form_dict
	selected = frappe.parse_json(fd.get("selected_items")) if fd.get("selected_items") else None
	filters = {"name": ("in", selected)} if selected else frappe.parse_json(fd.get("filters") or "null")
	frappe.local.ap_access_audit_settling = True  # this query is the audit's, not another read
	try:
		return frappe.get_list(
			doctype,
			filters=filters,
			or_filters=frappe.parse_json(fd.get("or_filters") or "null"),
			pluck="name",
			limit_page_length=0,
		)
	except Exception:
		return None
	finally:
		frappe.local.ap_access_audit_settling = False


def _answer():
	response = frappe.local.response
	if "data" in response:
		return response.get("data")
	return response.get("message")


def _asked_doctype() -> str | None:
	"""The DocType a list-type request was about: its path (/api/resource/<doctype>) or its arguments."""
	path = frappe.local.request.path
	for prefix in ("/api/resource/", "/api/v1/resource/", "/api/v2/document/"):
		if path.startswith(prefix):
			return path[len(prefix) :].strip("/").split("/", 1)[0]
	return frappe.form_dict.get("doctype")


def _where(reads: dict, docs: dict) -> dict[tuple[str, str], tuple[str | None, str | None]]:
	"""(doctype, name) -> (pupil, school): from the documents in hand, else one query per DocType."""
	where, missing = {}, {}
	for k, read in reads.items():
		doc = docs.get(k)
		if doc is not None:
			where[(read.doctype, read.name)] = (_pupil_of(doc), doc.get("school"))
	for read in reads.values():
		if (read.doctype, read.name) not in where:
			missing.setdefault(read.doctype, set()).add(read.name)
	for doctype, names in missing.items():
		rows = frappe.get_all(
			doctype, filters={"name": ("in", list(names))}, fields=["name", "pupil", "school"]
		)
		for row in rows:
			where[(doctype, row.name)] = (_pupil_of(frappe._dict(row, doctype=doctype)), row.school)
	return where


def _pupil_of(doc) -> str | None:
	return doc.get("pupil") or (doc.get("name") if doc.get("doctype") == "Pupil Welfare" else None)


def _own_school(user: str) -> str | None:
	"""A query entry names no record; it is shown to the Safeguarding Lead of the user's school when
	the user belongs to exactly one school (else to AP Administrators only)."""
	restriction = permissions.scope("School", user)
	if restriction and len(restriction[1]) == 1:
		return restriction[1][0]
	return None


def _text(value) -> str | None:
	return None if value is None else str(value)


def _query_text() -> str | None:
	if not _in_request():
		return None
	asked = {k: frappe.form_dict.get(k) for k in _QUERY_ARGS if frappe.form_dict.get(k) not in (None, "")}
	return access.shorten(json.dumps(asked, default=str, sort_keys=True)) if asked else None


WRITTEN = (
	"accessed_on",
	"user",
	"full_name",
	"roles",
	"outcome",
	"door",
	"access",
	"reference_doctype",
	"reference_name",
	"pupil",
	"school",
	"permission_types",
	"http_method",
	"http_status",
	"request_path",
	"rows",
	"query",
)


def _write(entries: list[dict]) -> None:
	if not entries:
		return
	now = now_datetime()
	values = [
		(
			frappe.generate_hash(length=16),
			now,
			now,
			e["user"],
			e["user"],
			0,
			*(e.get(f) for f in WRITTEN),
		)
		for e in entries
	]
	# A plain INSERT: no permission check to pass (the reader holds none on the log, and must not need
	# one) and no controller (which refuses every write through the document API).
	frappe.db.bulk_insert(
		LOG, ["name", "creation", "modified", "owner", "modified_by", "docstatus", *WRITTEN], values
	)


def _withhold(response) -> None:
	"""No entry, no data: replace an answer that carried a safeguarding record with a refusal."""
	body = json.dumps({"exc_type": "AccessAuditUnavailable", "message": _("The access audit is unavailable")})
	response.set_data(body)
	response.status_code = 503
	response.headers["Content-Type"] = "application/json"
	response.headers.pop("Content-Disposition", None)

"""GIAS Import: the DfE's establishment extract into Schools and registered AP Providers.

The rules (ap_framework/rules/gias.py) read the file and judge each row; this module gathers what the
site holds and writes, set-based: per kind of record, one query per thousand URNs for what is held and
one per thousand names for names taken, then bulk inserts and bulk updates (a CASE per chunk), not a
query per row. Each record keeps the values the last import wrote (`gias_values`), so a field a
person has changed since is left alone and listed on the import ("Hand Edits Kept").

A file up to IN_REQUEST_BYTES is imported in the request (one transaction: all or nothing); a larger
one in a background job on the long queue, which reports progress to the form and commits once at
the end (Frappe's job runner), or records Failed with the reason and writes nothing.
"""

from __future__ import annotations

import json
import os
import zipfile

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import now_datetime
from frappe.utils.background_jobs import is_job_enqueued

from ap_framework import api_input
from ap_framework.exceptions import GIASImportError
from ap_framework.provision import registration
from ap_framework.rules import gias, request
from ap_framework.validation import throw_problems

IN_REQUEST_BYTES = 5 * 1024 * 1024
CHUNK = 1000
LABELS = {"name": "GIAS Import"}
NAME_FIELD = {gias.SCHOOL: "school_name", gias.PROVIDER: "provider_name"}
FIELDS = {gias.SCHOOL: gias.SCHOOL_FIELDS, gias.PROVIDER: gias.PROVIDER_FIELDS}


@frappe.whitelist(methods=["POST"])
def start(name=None):
	"""Start the import `name`: at once for a small file, else queued on the long queue.
	AP Administrators only (write on the GIAS Import; no other role has any)."""
	args = api_input.checked(LABELS, name=(name, request.name(required=True)))
	doc = frappe.get_doc("GIAS Import", args.name)
	doc.check_permission("write")
	if doc.status in ("Queued", "Running") and is_job_enqueued(job_id(doc.name)):
		# (a Queued import whose job was lost with its worker or Redis may be started again)
		frappe.throw(_("This import is already {0}").format(_(doc.status)), GIASImportError)
	size = _size_of(doc)
	if size <= IN_REQUEST_BYTES:
		run(doc.name, in_request=True)
		return {"queued": False}
	doc.db_set({"status": "Queued", "error": None}, update_modified=False)
	frappe.enqueue(
		"ap_framework.placement.gias_import.run",
		queue="long",
		timeout=3600,
		job_id=job_id(doc.name),
		deduplicate=True,
		enqueue_after_commit=True,
		import_name=doc.name,
	)
	return {"queued": True}


def job_id(import_name: str) -> str:
	return f"gias-import::{import_name}"


def run(import_name: str, in_request: bool = False) -> None:
	"""The import itself (the background job's entry point). In a request a file-level problem is
	thrown (the request rolls back); in a job it is recorded on the import as Failed."""
	doc = frappe.get_doc("GIAS Import", import_name)
	frappe.db.savepoint("gias_import")
	try:
		_one_at_a_time()
		doc.db_set({"status": "Running", "started_at": now_datetime(), "error": None}, update_modified=False)
		summary = _import(doc)
	except Exception as e:
		if in_request:
			raise
		# In the job: nothing of the import is kept, and the import says why (an unforeseen error is
		# in the Error Log too).
		frappe.db.rollback(save_point="gias_import")
		if isinstance(e, GIASImportError):
			error = frappe.utils.strip_html(str(e))
		else:
			error = _("The import stopped on an unexpected error: {0}").format(
				frappe.log_error(title=_("GIAS import {0}").format(import_name)).name
			)
		doc.db_set({"status": "Failed", "finished_at": now_datetime(), "error": error}, update_modified=False)
		frappe.clear_messages()
		_done(doc.name)
		return
	doc.db_set(summary | {"status": "Completed", "finished_at": now_datetime()})
	_done(doc.name)


def _one_at_a_time() -> None:
	"""One import at a time on a site, until its transaction ends: two at once would each make the
	establishments the other is making. The lock is a row no one else writes (GIAS Import's DocType),
	taken without waiting."""
	try:
		frappe.db.sql("select name from `tabDocType` where name = 'GIAS Import' for update nowait")
	except frappe.QueryTimeoutError:
		frappe.throw(
			_("Another GIAS import is running; start this one again when it has finished"), GIASImportError
		)


def _done(name: str) -> None:
	frappe.publish_realtime("gias_import_done", {"name": name}, doctype="GIAS Import", docname=name)


def _progress(doc, percent: float, description: str) -> None:
	frappe.publish_progress(
		percent, title=_("GIAS import"), doctype="GIAS Import", docname=doc.name, description=description
	)


# ---- the file --------------------------------------------------------------------------------------
def _path_of(doc) -> str:
	"""The file uploaded to this import. Frappe gives any URL typed into an Attach field a File record
	of this import's own, so every File holding the URL must belong to a GIAS Import (the same upload
	twice is one file on disk): an import cannot be pointed at another record's private file, whose
	lines the rejections would quote."""
	holders = (
		frappe.get_all(
			"File",
			filters={"file_url": doc.import_file, "is_folder": 0},
			fields=["name", "attached_to_doctype", "attached_to_name"],
		)
		if (doc.import_file or "").startswith(("/private/files/", "/files/"))
		else []
	)
	ours = [h for h in holders if (h.attached_to_doctype, h.attached_to_name) == ("GIAS Import", doc.name)]
	if not ours or any(h.attached_to_doctype != "GIAS Import" for h in holders):
		throw_problems(doc, gias.no_file())
	return frappe.get_doc("File", ours[0].name).get_full_path()


def _size_of(doc) -> int:
	size = os.path.getsize(_path_of(doc))
	throw_problems(doc, gias.check_size(size))
	return size


def _bytes_of(doc) -> bytes:
	"""The file's bytes, bounded; a .zip (GIAS's own download is one) gives its one CSV, whose declared
	and actual sizes are both bounded, so a small archive cannot unpack into a huge file."""
	path = _path_of(doc)
	throw_problems(doc, gias.check_size(os.path.getsize(path)))
	with open(path, "rb") as f:
		data = f.read(gias.MAX_BYTES + 1)
	if not data.startswith(b"PK\x03\x04"):
		return data
	try:
		with zipfile.ZipFile(path) as z:
			csvs = [i for i in z.infolist() if i.filename.lower().endswith(".csv")]
			throw_problems(doc, gias.check_archive(len(csvs)))
			throw_problems(doc, gias.check_size(csvs[0].file_size))
			with z.open(csvs[0]) as member:
				data = member.read(gias.MAX_BYTES + 1)
	except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as e:
		throw_problems(doc, gias.bad_archive(str(e)))
	throw_problems(doc, gias.check_size(len(data)))
	return data


# ---- the import ------------------------------------------------------------------------------------
def _import(doc) -> dict:
	la_codes, problems = gias.check_la_codes(doc.la_codes)
	throw_problems(doc, problems)
	_progress(doc, 2, _("Reading the file"))
	data = _bytes_of(doc)
	try:
		codec, encoding = gias.encoding_of(data)
	except ValueError as e:
		throw_problems(doc, gias.bad_encoding(e.args[0]))
	header, rows, total, problems = gias.read(gias.text_of(data, codec), la_codes)
	del data
	throw_problems(doc, problems)
	taken, rejected, not_taken, other = gias.records(header, rows, la_codes)
	other += total - len(rows)
	_progress(doc, 10, _("{0} establishments of the chosen LAs").format(len(taken)))

	counts = {"created": 0, "updated": 0, "unchanged": 0, "closed": 0, "not_taken": not_taken}
	kept: list[dict] = []
	for i, doctype in enumerate((gias.SCHOOL, gias.PROVIDER)):
		ours = [e for e in taken if e.doctype == doctype]
		_write(doc, doctype, ours, counts, kept, progress=(10 + 45 * i, 45))

	_children(doc, "rejections", "GIAS Import Rejection", [_rejection_row(r) for r in rejected])
	_children(doc, "kept_edits", "GIAS Import Kept Edit", kept)
	_progress(doc, 100, _("Done"))
	return {
		"encoding": encoding,
		"rows_read": total,
		"other_la_count": other,
		"not_taken_count": counts["not_taken"],
		"created_count": counts["created"],
		"updated_count": counts["updated"],
		"unchanged_count": counts["unchanged"],
		"closed_count": counts["closed"],
		"rejected_count": len(rejected),
		"kept_count": len(kept),
	}


def _chunks(items: list, size: int = CHUNK):
	for i in range(0, len(items), size):
		yield items[i : i + size]


def _held(doctype: str, urns: list[str]) -> dict[str, dict]:
	"""{urn: the record's name, import fields and last imported values}, one query per CHUNK URNs."""
	table = DocType(doctype)
	columns = [table.name, table.urn, table.gias_values, *(table[f] for f in FIELDS[doctype])]
	held = {}
	for chunk in _chunks(urns):
		for r in frappe.qb.from_(table).select(*columns).where(table.urn.isin(chunk)).run(as_dict=True):
			held.setdefault(r.urn, r)
	return held


def _names_taken(doctype: str, names: list[str]) -> set[str]:
	table = DocType(doctype)
	taken = set()
	for chunk in _chunks(sorted(set(names))):
		taken.update(frappe.qb.from_(table).select(table.name).where(table.name.isin(chunk)).run(pluck=True))
	return taken


def _text(value) -> str:
	return "" if value is None else str(value)


def _write(doc, doctype: str, establishments: list, counts: dict, kept: list, progress) -> None:
	start, span = progress
	name_field = NAME_FIELD[doctype]
	held = _held(doctype, [e.urn for e in establishments])
	new = [e for e in establishments if e.urn not in held and not e.closed]
	counts["not_taken"] += sum(1 for e in establishments if e.urn not in held and e.closed)
	taken = _names_taken(doctype, [e.values[name_field] for e in new])
	labels = {df.fieldname: df.label for df in frappe.get_meta(doctype).fields}

	updates, changes, registration_changed = {}, {}, []
	for e in establishments:
		record = held.get(e.urn)
		if record is None:
			continue
		current = {f: _text(record.get(f)) for f in FIELDS[doctype]}
		last = json.loads(record.gias_values) if record.gias_values else None
		m = gias.merge(current, last, e.values, name_field, e.urn)
		for f, (mine, theirs) in m.kept.items():
			kept.append(
				{
					"record_type": doctype,
					"record": record.name,
					"field_label": labels.get(f, f),
					"fieldname": f,
					"user_value": mine,
					"gias_value": theirs,
				}
			)
		if m.write:
			closing = m.write.get("establishment_status") == gias.CLOSED
			counts["closed" if closing else "updated"] += 1
			if "registration_status" in m.write:
				registration_changed.append(record.name)
			updates[record.name] = {f: (v or None) for f, v in m.write.items()} | {
				"gias_values": json.dumps(m.imported, sort_keys=True)
			}
			changes[record.name] = [[f, current.get(f) or None, v or None] for f, v in m.write.items()]
		else:
			counts["unchanged"] += 1
			if last != m.imported:
				updates[record.name] = {"gias_values": json.dumps(m.imported, sort_keys=True)}
	_progress(doc, start + span / 3, _("{0}: {1} to update").format(_(doctype), len(updates)))
	# Only the import's own fields are written (nothing else of the record), in chunks of a few hundred
	# rows per statement; `modified` moves only for records whose values changed.
	touched = {n: u for n, u in updates.items() if set(u) != {"gias_values"}}
	untouched = {n: u for n, u in updates.items() if set(u) == {"gias_values"}}
	frappe.db.bulk_update(doctype, touched, chunk_size=200, modified=now_datetime())
	frappe.db.bulk_update(doctype, untouched, chunk_size=500, update_modified=False)
	if registration_changed:
		registration.refresh(registration_changed)
	_progress(doc, start + 2 * span / 3, _("{0}: {1} to create").format(_(doctype), len(new)))
	names = _insert(doctype, new, taken)
	counts["created"] += len(new)
	_versions(doc, doctype, changes, names)


def _insert(doctype: str, establishments: list, taken: set[str]) -> list[str]:
	"""Bulk insert, as a new record saved from the desk would be, less the controller: the rules have
	checked what validate() checks (URN, UKPRN, LA code, postcode)."""
	if not establishments:
		return []
	name_field = NAME_FIELD[doctype]
	now, user = now_datetime(), frappe.session.user
	extra = (
		{"approval_status": "Under Review", "is_registered_school": 1, "meets_registration_test": 0}
		if doctype == gias.PROVIDER
		else {}
	)
	fields = ["name", "owner", "modified_by", "creation", "modified", "docstatus", "idx", "urn"]
	fields += [*FIELDS[doctype], "gias_values", *extra]
	values, names = [], []
	for e in establishments:
		name = gias.unique_name(e.values[name_field], e.urn, taken)
		taken.add(name)
		names.append(name)
		row = dict(e.values, **{name_field: name})
		imported = [row[f] or None for f in FIELDS[doctype]]
		gias_values = json.dumps(e.values, sort_keys=True)
		values.append((name, user, user, now, now, 0, 0, e.urn, *imported, gias_values, *extra.values()))
	frappe.db.bulk_insert(doctype, fields, values, chunk_size=CHUNK)
	return names


def _versions(doc, doctype: str, changes: dict[str, list], created: list[str]) -> None:
	"""The records' change history (School and AP Provider track changes), as a save would write it,
	in bulk: what each update changed, and each record made, both "via" this import."""
	reference = {"doctype": "GIAS Import", "docname": doc.name, "label": _("GIAS import")}
	now, user = now_datetime(), frappe.session.user
	data = [
		(
			name,
			{
				"added": [],
				"changed": changed,
				"removed": [],
				"row_changed": [],
				"updater_reference": reference,
			},
		)
		for name, changed in changes.items()
	] + [(name, {"creation": now, "updater_reference": reference, "created_by": user}) for name in created]
	values = [
		(
			frappe.generate_hash(length=10),
			user,
			user,
			now,
			now,
			0,
			doctype,
			name,
			frappe.as_json(d, indent=None),
		)
		for name, d in data
	]
	fields = [
		"name",
		"owner",
		"modified_by",
		"creation",
		"modified",
		"docstatus",
		"ref_doctype",
		"docname",
		"data",
	]
	frappe.db.bulk_insert("Version", fields, values, chunk_size=CHUNK)


def _rejection_row(r: gias.Rejection) -> dict:
	return {"row_number": r.row, "urn": r.urn, "column_name": r.column, "reason": r.reason}


def _children(doc, parentfield: str, doctype: str, rows: list[dict]) -> None:
	"""Replace the import's child rows of one table, in bulk (a saved document would insert one by one)."""
	frappe.db.delete(doctype, {"parent": doc.name, "parenttype": "GIAS Import", "parentfield": parentfield})
	if not rows:
		return
	now, user = now_datetime(), frappe.session.user
	columns = list(rows[0])
	fields = ["name", "owner", "modified_by", "creation", "modified", "docstatus", "parent"]
	fields += ["parenttype", "parentfield", "idx", *columns]
	head = (user, user, now, now, 0, doc.name, "GIAS Import", parentfield)
	values = [
		(frappe.generate_hash(length=12), *head, i, *(r[c] for c in columns))
		for i, r in enumerate(rows, start=1)
	]
	frappe.db.bulk_insert(doctype, fields, values, chunk_size=CHUNK)

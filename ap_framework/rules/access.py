"""The access audit of safeguarding records, as plain facts: which door a request came through, which
records a list-type answer named, and what one request's reads come to (one entry per record and door).

Used by ap_framework/oversight/access_audit.py; imports nothing from frappe so every door is unit-tested.
UK GDPR Art. 5(1)(f) and 32 (confidentiality, and the means to show it), Art. 5(2) (accountability) and
Art. 15 (right of access), and Keeping Children Safe in Education, Part two, on records of concerns kept
confidential and secure: the school must be able to say who has seen a child's safeguarding information.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ap_framework.rules import Problem, _, problem

# The records audited: special-category facts, concerns, risk assessments, and safeguarding-channel
# transfers (a transfer on the ordinary "Profile" channel carries no safeguarding information).
AUDITED = frozenset(
	{"Pupil Welfare", "Safeguarding Concern", "Risk Assessment", "Profile Transfer", "Incoming Profile"}
)
CHANNELLED = frozenset({"Profile Transfer", "Incoming Profile"})
SAFEGUARDING_CHANNEL = "Safeguarding"
# Permission types whose grant hands the record's content to the user (a write or a delete does not
# show anything the user had not read first; "select" is a link search, answered as a query).
READ_PTYPES = frozenset({"read", "print", "email"})

DOORS = (
	"Form",
	"API",
	"Print",
	"PDF",
	"Export",
	"Report",
	"List",
	"Portal",
	"File",
	"Email",
	"Background",
	"Other",
)

# Whitelisted methods by door (exact names first, then prefixes). Anything else under /api/method is
# "Other", with its path kept on the entry.
_METHODS = {
	"frappe.www.printview.get_html_and_style": "Print",
	"frappe.www.printview.get_rendered_raw_commands": "Print",
	"frappe.utils.print_format.download_pdf": "PDF",
	"frappe.utils.print_format.download_multi_pdf": "PDF",
	"frappe.utils.print_format.download_multi_pdf_async": "PDF",
	"frappe.utils.print_format.report_to_pdf": "PDF",
	"frappe.utils.weasyprint.download_pdf": "PDF",
	"ap_framework.transfer.pack.download": "PDF",
	"frappe.desk.reportview.export_query": "Export",
	"frappe.desk.query_report.export_query": "Export",
	"frappe.core.doctype.data_export.exporter.export_data": "Export",
	"ap_framework.transfer.ctf.export_ctf": "Export",
	"frappe.desk.query_report.run": "Report",
	"frappe.desk.query_report.background_enqueue_run": "Report",
	"frappe.core.doctype.communication.email.make": "Email",
}
_PREFIXES = (
	("frappe.desk.form.", "Form"),
	("frappe.desk.reportview.", "List"),
	("frappe.desk.search.", "List"),
	("frappe.desk.listview.", "List"),
	("frappe.client.get_list", "List"),
	("frappe.client.get_count", "List"),
	("frappe.client.", "API"),
	("ap_framework.portal.", "Portal"),
)


def method_of(path: str) -> str | None:
	"""The whitelisted method a request path calls (/api/method/x, /api/v2/method/x), else None."""
	for prefix in ("/api/method/", "/api/v1/method/", "/api/v2/method/"):
		if path.startswith(prefix):
			return path[len(prefix) :].strip("/").replace("/", ".") or None
	return None


def door(path: str | None, cmd: str | None = None) -> str:
	"""Which door a request came through, from its path (and the legacy `cmd` form value).
	`path` None means no HTTP request at all: a background job, the scheduler or a console."""
	if path is None:
		return "Background"
	method = method_of(path) or cmd
	if method:
		if method in _METHODS:
			return _METHODS[method]
		for prefix, name in _PREFIXES:
			if method.startswith(prefix):
				return name
		return "Other"
	if path.startswith(("/api/resource/", "/api/v1/resource/", "/api/v2/document/")):
		return "API"
	if path.startswith(("/printview", "/api/v2/printview")):
		return "Print"
	if path.startswith("/private/files/") or path.startswith("/files/"):
		return "File"
	if path == "/ap" or path.startswith("/ap/"):
		return "Portal"
	return "Other"


def record_read(path: str | None, http_method: str | None) -> tuple[str, str] | None:
	"""(doctype, name) when the request path itself reads one record over REST (v1 resource or
	v2 document), else None. Used to record what the permission hook never sees (Administrator)."""
	if not path or http_method != "GET":
		return None
	for prefix in ("/api/resource/", "/api/v1/resource/", "/api/v2/document/"):
		if path.startswith(prefix):
			parts = path[len(prefix) :].strip("/").split("/", 1)
			if len(parts) == 2 and parts[1] and "/" not in parts[1]:
				return parts[0], parts[1]
	return None


# Whitelisted methods whose answers are counts per group: their "name" is a group's value (a school,
# a rating), not a record's.
AGGREGATE_METHODS = frozenset(
	{
		"frappe.desk.listview.get_group_by_count",
		"frappe.desk.reportview.get_sidebar_stats",
		"frappe.desk.reportview.get_stats",
		"frappe.desk.reportview.get_count",
		"frappe.client.get_count",
	}
)


def names_in_answer(answer: object, method: str | None = None) -> list[str] | None:
	"""The record names a list-type answer carried, or None when it names none it can be read from
	(a count, a group-by, a file, rows without their name).

	Shapes: REST lists (a list of dicts with "name"), frappe.desk.reportview.get ({"keys", "values"}),
	frappe.client.get_value (one dict), link search (dicts with "value"). `method` is the whitelisted
	method that answered, where there is one: a count per group names groups, not records."""
	if method in AGGREGATE_METHODS:
		return None
	if isinstance(answer, list) and any(isinstance(row, dict) and "count" in row for row in answer):
		return None  # a count per group, whoever answered it
	if isinstance(answer, dict):
		if isinstance(answer.get("keys"), list) and isinstance(answer.get("values"), list):
			keys = answer["keys"]
			if "name" not in keys:
				return None
			i = keys.index("name")
			return [str(row[i]) for row in answer["values"] if isinstance(row, list | tuple) and len(row) > i]
		if answer.get("name") is not None:
			return [str(answer["name"])]
		return None
	if isinstance(answer, list):
		if not answer:
			return []
		if all(isinstance(row, dict) and row.get("name") is not None for row in answer):
			return [str(row["name"]) for row in answer]
		if all(isinstance(row, dict) and row.get("value") is not None for row in answer):
			return [str(row["value"]) for row in answer]
	return None


def rows_in_answer(answer: object) -> int | None:
	"""How many rows a list-type answer held, where that can be told."""
	if isinstance(answer, dict) and isinstance(answer.get("values"), list):
		return len(answer["values"])
	if isinstance(answer, list):
		return len(answer)
	return None


@dataclass
class Read:
	"""What one request did for one user with one record through one door: which permission types it
	was checked for and which of them were granted, and whether the record was shown whatever the
	checks said (a print made from it, a form loaded, a list naming it)."""

	user: str
	doctype: str
	name: str
	door: str
	checked: set[str] = field(default_factory=set)
	granted: set[str] = field(default_factory=set)
	shown: bool = False

	@property
	def outcome(self) -> str:
		return "Granted" if self.granted or self.shown else "Denied"


def key(user: str, doctype: str, name: str, door_name: str) -> tuple[str, str, str, str]:
	"""One entry per (user, record, door) per request or job."""
	return (user, doctype, str(name), door_name)


def roles_text(roles: list[str] | set[str]) -> str:
	"""The user's roles at the time of access, as stored on the entry (automatic roles left out)."""
	return ", ".join(sorted(set(roles) - {"All", "Guest", "Desk User"}))


def shorten(text: str | None, limit: int = 2000) -> str | None:
	if text is None or len(text) <= limit:
		return text
	return text[: limit - 1] + "…"


def check_report_filters(
	pupil: str | None, school: str | None, user: str | None, from_date: date | None, to_date: date | None
) -> list[Problem]:
	"""The Safeguarding Access report answers about a pupil (a subject access request), a school or a
	member of staff (a DPO's audit): one of them must be given, and the period must run forwards."""
	problems = []
	if not (pupil or school or user):
		problems.append(problem("pupil", _("Choose a pupil, a school or a user"), kind="access_report"))
	if from_date and to_date and from_date > to_date:
		problems.append(
			problem("to_date", _("{0} is before the start of the period"), to_date, kind="date_order")
		)
	return problems

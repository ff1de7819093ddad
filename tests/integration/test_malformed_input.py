"""Malformed input at every whitelisted method of the app, over real HTTP: never a 500, a message with
every refusal, and nothing written by a refused request.

The methods are found from the code (every function of ap_framework in frappe.whitelisted), so a new
one is fuzzed from the day it is written. FUZZ says who calls each one and gives a few valid values
per argument, so that generated junk in one argument meets good values in the others and reaches the
code behind the first check; a method missing from FUZZ fails test_every_whitelisted_method_is_fuzzed.

Hypothesis generates the requests: text that is not JSON, JSON of the wrong shape, numbers, nested
objects, huge strings, strings a database cannot store, unknown names, missing arguments; as a form
(what the portal's frappe.call posts) or as a JSON body (any JSON type in any argument). Derandomised
with a fixed number of examples per method, so a run is repeatable and bounded.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import frappe
import pytest
import requests
from frappe.utils import add_days, now_datetime, today
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import PASSWORD
from tests.integration.test_portal import last_weekday

APP = Path(__file__).resolve().parents[2] / "ap_framework"
EXAMPLES = 30  # per method, as the role that may call it
GUEST_EXAMPLES = 4  # per method, as Guest
SLOW_EXAMPLES = 12  # per method that renders a PDF
SLOW = {"ap_framework.oversight.packs.planning_call_pdf", "ap_framework.oversight.packs.governors_report_pdf"}
# What the methods may write, counted (rows and the latest `modified`) before and after each request.
FRAPPE_DOCTYPES = [
	"User",
	"User Permission",
	"Has Role",
	"File",
	"Comment",
	"ToDo",
	"Notification Log",
	"Version",
	"Error Log",
	"Email Queue",
]
ERPNEXT_DOCTYPES = ["Supplier", "Address", "Dynamic Link"]


def whitelisted_methods() -> dict[str, object]:
	"""{dotted path: function} for every whitelisted function of the app (modules imported from the code)."""
	for path in APP.rglob("*.py"):
		if "frappe.whitelist" in path.read_text():
			module = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
			importlib.import_module(module)
	found = {}
	for fn in frappe.whitelisted:
		if fn.__module__.startswith("ap_framework.") and "." not in fn.__qualname__:
			found[f"{fn.__module__}.{fn.__qualname__}"] = fn
	return found


# ---- valid values, so that junk in one argument meets good values in the others ---------------------
def _day(w, back=0):
	return str(last_weekday() - timedelta(days=back))


@dataclass
class Fuzz:
	user: str  # world.users key (or "partner": this module's Transfer Partner user)
	valid: dict = field(default_factory=dict)  # argument -> callable(world, extra) -> list of valid values


def _marks(w, x):
	return [json.dumps([{"placement": w.pb1, "mark": "/"}]), json.dumps([{"placement": w.pb1, "mark": "N"}])]


def _token(w, x):
	return [uuid.uuid4().hex, uuid.uuid4().hex[:20]]


FUZZ = {
	"ap_framework.portal.api.save_register": Fuzz(
		"provider_1",
		{
			"attendance_date": lambda w, x: [_day(w, 14), _day(w, 21)],
			"session": lambda w, x: ["AM", "PM"],
			"marks": _marks,
		},
	),
	"ap_framework.portal.api.log_contact": Fuzz(
		"provider_1",
		{
			"placement": lambda w, x: [w.pb1],
			"contact_type": lambda w, x: ["Phone", "Visit"],
			"summary": lambda w, x: ["Called home"],
			"safeguarding_concern": lambda w, x: ["0", "1"],
			"form_token": _token,
		},
	),
	"ap_framework.portal.api.submit_assessment": Fuzz(
		"provider_1",
		{
			"placement": lambda w, x: [w.pb1],
			"scores": lambda w, x: [json.dumps([{"domain": x["domain"], "score": "3"}])],
			"assessment_date": lambda w, x: [today()],
			"form_token": _token,
		},
	),
	"ap_framework.portal.api.submit_review_input": Fuzz(
		"provider_1",
		{
			"placement": lambda w, x: [w.pb1],
			"provider_input": lambda w, x: ["Settling in"],
			"form_token": _token,
		},
	),
	"ap_framework.portal.api.record_assurance": Fuzz(
		"provider_1",
		{
			"received_date": lambda w, x: [today()],
			"signed_by": lambda w, x: ["Manager"],
			"valid_until": lambda w, x: [add_days(today(), 300)],
			"form_token": _token,
		},
	),
	"ap_framework.portal.api.record_policy": Fuzz(
		"provider_1",
		{
			"policy_type": lambda w, x: ["Behaviour", "Complaints"],
			"dated_on": lambda w, x: [add_days(today(), -10)],
			"review_date": lambda w, x: [add_days(today(), 300)],
			"form_token": _token,
		},
	),
	"ap_framework.portal.api.attach_provider_document": Fuzz("provider_1", {"form_token": _token}),
	"ap_framework.portal.users.invite_provider_user": Fuzz(
		"qa", {"provider": lambda w, x: [w.p1], "first_name": lambda w, x: ["Sam"]}
	),
	"ap_framework.once.apply_workflow": Fuzz(
		"admin",
		{
			"doc": lambda w, x: [json.dumps({"doctype": "Placement", "name": "PLC-0000-00000"})],
			"action": lambda w, x: ["Approve"],
		},
	),
	"ap_framework.oversight.cards.registers_outstanding": Fuzz("ap_lead_a"),
	"ap_framework.oversight.cards.reviews_overdue": Fuzz("ap_lead_a"),
	"ap_framework.oversight.cards.assurances_expiring": Fuzz("ap_lead_a"),
	"ap_framework.oversight.cards.attendance_rate": Fuzz("ap_lead_a"),
	"ap_framework.oversight.cards.placements_by_provider": Fuzz("ap_lead_a"),
	"ap_framework.oversight.cards.placements_by_reason": Fuzz("ap_lead_a"),
	"ap_framework.oversight.cards.governors_placements": Fuzz("governor_a"),
	"ap_framework.oversight.cards.governors_attendance": Fuzz("governor_a"),
	"ap_framework.oversight.cards.governors_reintegrated": Fuzz("governor_a"),
	"ap_framework.oversight.progress.domain_chart": Fuzz(
		"ap_lead_a", {"pupil": lambda w, x: [w.pupil_a1], "placement": lambda w, x: [w.pa1]}
	),
	"ap_framework.oversight.packs.planning_call_pdf": Fuzz(
		"ap_lead_a", {"as_at": lambda w, x: [today()], "school": lambda w, x: [w.school_a]}
	),
	"ap_framework.oversight.packs.governors_report_pdf": Fuzz(
		"ap_lead_a", {"school": lambda w, x: [w.school_a], "year": lambda w, x: ["2025-26"]}
	),
	"ap_framework.transfer.pack.download": Fuzz("ap_lead_a"),
	"ap_framework.transfer.receive.receive": Fuzz("partner", {"payload": lambda w, x: x["payloads"]}),
	"ap_framework.transfer.receive.statuses": Fuzz(
		"partner", {"keys": lambda w, x: [json.dumps(["0" * 32])]}
	),
	"ap_framework.transfer.receive.confirm_receipt": Fuzz("dsl_a"),
	"ap_framework.transfer.receive.accept": Fuzz("dsl_a", {"form_token": _token}),
	"ap_framework.transfer.receive.reject": Fuzz("dsl_a", {"reason": lambda w, x: ["Not our pupil"]}),
	"ap_framework.transfer.follow_up.check": Fuzz("ap_lead_a"),
	"ap_framework.transfer.delivery.send": Fuzz("ap_lead_a", {"form_token": _token}),
	"ap_framework.transfer.ctf.export_ctf": Fuzz("ap_lead_a", {"pupils": lambda w, x: [w.pupil_a1]}),
	"ap_framework.transfer.ctf.import_ctf": Fuzz(
		"ap_lead_a", {"school": lambda w, x: [w.school_a], "form_token": _token}
	),
	"ap_framework.finance.suppliers.link_supplier": Fuzz(
		"admin", {"provider": lambda w, x: [w.p3], "form_token": _token}
	),
	"ap_framework.oversight.home_register.register_rows": Fuzz(
		"ap_lead_a",
		{
			"school": lambda w, x: [w.school_a],
			"from_date": lambda w, x: [_day(w, 7)],
			"to_date": lambda w, x: [_day(w)],
		},
	),
	"ap_framework.oversight.home_register.register_csv": Fuzz(
		"ap_lead_a",
		{
			"school": lambda w, x: [w.school_a],
			"from_date": lambda w, x: [_day(w, 7)],
			"to_date": lambda w, x: [_day(w)],
		},
	),
	"ap_framework.oversight.retention.confirm": Fuzz("admin", {"form_token": _token}),
	"ap_framework.oversight.retention.decline": Fuzz("admin", {"form_token": _token}),
	"ap_framework.placement.gias_import.start": Fuzz("admin"),
	"ap_framework.setup.templates.download": Fuzz(
		"admin", {"template": lambda w, x: ["providers", "pupils", "placements"]}
	),
}


# ---- junk ----------------------------------------------------------------------------------------
JSON_SCALARS = (
	st.none()
	| st.booleans()
	| st.integers(-(2**70), 2**70)
	| st.floats(allow_nan=False, allow_infinity=False)
	| st.text(max_size=20)
)
JSON_VALUES = st.recursive(
	JSON_SCALARS,
	lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
	max_leaves=12,
)
NOT_JSON = st.sampled_from(
	["[", "{", "{'placement': 1}", "[1,", "NaN", "undefined", "[{]}", '"unclosed', "<xml/>"]
)
HUGE = st.sampled_from([141, 1001, 10_001, 1_000_001]).map(lambda n: "x" * n)
DEEP = st.integers(50, 5000).map(lambda n: "[" * n + "]" * n)
UNKNOWN_NAMES = st.sampled_from(
	["PLC-0000-00000", "No such record", "Administrator", "../../etc/passwd", "%", "' OR 1=1 --", "0"]
)
# Strings no database column can store; only a JSON body can carry them (a form posts UTF-8).
UNSTORABLE = st.sampled_from(["\ud800", "a\udfffb", "nul\x00byte"])


def junk(extra_names: list[str]) -> st.SearchStrategy:
	"""Anything a client might post in one argument, as a Python value (a form posts it as text)."""
	return st.one_of(
		st.text(max_size=30),
		NOT_JSON,
		JSON_VALUES.map(json.dumps),  # well-formed JSON of whatever shape
		JSON_VALUES,  # the value itself, in a JSON body
		st.lists(st.integers(), min_size=1, max_size=5).map(json.dumps),  # a list of numbers
		st.dictionaries(
			st.sampled_from(["placement", "mark", "domain", "score"]), JSON_SCALARS, max_size=3
		).map(json.dumps),  # an object instead of a list
		st.lists(
			st.dictionaries(
				st.sampled_from(["placement", "mark", "minutes_late", "note", "domain", "score", "evidence"]),
				JSON_VALUES,
				max_size=4,
			),
			max_size=3,
		).map(json.dumps),
		HUGE,
		DEEP,
		UNKNOWN_NAMES,
		st.sampled_from(extra_names) if extra_names else UNKNOWN_NAMES,
		UNSTORABLE,
	)


MISSING = object()


@st.composite
def calls(draw, params: list[str], valid: dict[str, list], names: list[str]):
	"""(encoding, {argument: value}) with each argument junk, valid, or left out."""
	args = {}
	for p in params:
		options = [junk(names), st.just(MISSING)]
		if valid.get(p):
			options.append(st.sampled_from(valid[p]))
		value = draw(st.one_of(*options))
		if value is not MISSING:
			args[p] = value
	encoding = draw(st.sampled_from(["form", "json"]))
	return encoding, args


# ---- the site side -------------------------------------------------------------------------------
def _tables() -> list[str]:
	modules = frappe.get_all("Module Def", filters={"app_name": "ap_framework"}, pluck="name")
	ours = frappe.get_all(
		"DocType", filters={"module": ("in", modules), "is_virtual": 0, "issingle": 0}, pluck="name"
	)
	theirs = FRAPPE_DOCTYPES + [d for d in ERPNEXT_DOCTYPES if frappe.db.table_exists(d)]
	return sorted(set(ours) | set(theirs))


def fingerprint(tables: list[str], callers: list[str]) -> dict:
	"""Rows and the latest change of every table a method may write, as the server has committed them,
	among the rows the callers made or last changed (a request writes as its user; the bench's workers,
	running other sites' and earlier tests' jobs as Administrator, are not the request)."""
	frappe.db.rollback()  # a fresh snapshot: see what the server committed
	who = ", ".join(["%s"] * len(callers))
	sql = " union all ".join(
		f"select %s, count(*), max(`modified`) from `tab{t}` where owner in ({who}) or modified_by in ({who})"
		for t in tables
	)
	values = [v for t in tables for v in (t, *callers, *callers)]
	return {r[0]: (r[1], r[2]) for r in frappe.db.sql(sql, values)}


def callers(world, extra) -> list[str]:
	return [*world.users.values(), extra["partner_user"], "Guest"]


@pytest.fixture(scope="module")
def extra(world):
	"""The values the valid samples need beyond the world, and the partner user for the receiving side."""
	frappe.set_user("Administrator")
	token = world.token.lower()
	email = f"partner-in-{token}@ap-test.example.com"
	secret = frappe.generate_hash(length=20)
	frappe.local.conf.throttle_user_limit = 10**6
	user = frappe.get_doc(
		{
			"doctype": "User",
			"email": email,
			"first_name": "Partner",
			"send_welcome_email": 0,
			"api_key": frappe.generate_hash(length=15),
			"api_secret": secret,
		}
	).insert(ignore_permissions=True)
	partner = frappe.get_doc(
		{
			"doctype": "Transfer Partner",
			"partner_name": f"T{world.token} Fuzz Partner",
			"site_url": "http://partner.invalid",
			"school": world.school_a,
			"direction": "Receive only",
			"is_active": 1,
			"receiving_user": email,
		}
	).insert(ignore_permissions=True)
	domain = frappe.get_all("Development Domain", filters={"is_active": 1}, pluck="name", limit=1)[0]
	frappe.db.commit()
	data = {
		"domain": domain,
		"payloads": [json.dumps(p) for p in _payloads()],
		"partner_auth": f"token {user.api_key}:{secret}",
		"partner_user": email,
		"names": [world.pa2, world.pupil_b1, world.school_b, world.p2, partner.name],
	}
	yield data
	frappe.db.rollback()
	incoming = frappe.get_all("Incoming Profile", filters={"partner": partner.name}, pluck="name")
	if incoming:
		frappe.db.delete("ToDo", {"reference_type": "Incoming Profile", "reference_name": ("in", incoming)})
		frappe.db.delete(
			"Comment", {"reference_doctype": "Incoming Profile", "reference_name": ("in", incoming)}
		)
		frappe.db.delete("Incoming Domain Score", {"parent": ("in", incoming)})
		frappe.db.delete("Incoming Profile", {"name": ("in", incoming)})
	frappe.delete_doc("Transfer Partner", partner.name, force=True, ignore_permissions=True)
	frappe.delete_doc("User", email, force=True, ignore_permissions=True)
	frappe.db.commit()


def _payloads() -> list[dict]:
	"""A profile as a partner would send it (this partner may send no sections, so even this one is
	refused), and the same with one part of the wrong shape."""
	good = {
		"protocol": 1,
		"idempotency_key": "f" * 32,
		"channel": "Profile",
		"sender": "Fuzz sender",
		"sender_reference": "LP-0001",
		"version": 1,
		"snapshot": {
			"pupil": {"first_name": "Fuzz", "last_name": "Pupil", "date_of_birth": "2012-01-01", "upn": ""},
			"sections": {"domains": {"title": "Domains", "rows": []}},
		},
	}
	row = {"code": "SEMH", "baseline": {"score": 2, "date": "2025-01-01"}, "latest": {"score": 3}}
	bad_rows = [[1], "rows", {"a": 1}, [{**row, "baseline": []}], [{**row, "latest": {"score": True}}]]
	bad_rows += [[{**row, "baseline": {"score": 1, "date": "someday"}}], [{**row, "code": {"x": 1}}]]
	out = [good]
	for rows in bad_rows:
		out.append({**good, "snapshot": {**good["snapshot"], "sections": {"domains": {"rows": rows}}}})
	out.append({**good, "snapshot": {**good["snapshot"], "sections": {"domains": ["a list"]}}})
	for key, value in [("version", "one"), ("pack", 5), ("sender", {"a": 1}), ("protocol", "x" * 100_000)]:
		out.append({**good, key: value})
	for key, value in [("upn", 5), ("date_of_birth", "2012-13-45"), ("first_name", "x" * 500)]:
		out.append(
			{**good, "snapshot": {**good["snapshot"], "pupil": {**good["snapshot"]["pupil"], key: value}}}
		)
	return out


@pytest.fixture(scope="module", autouse=True)
def _accepted_writes_undone(request, world, extra):
	"""Some generated requests are well-formed and accepted (a 200 may write): remove what the callers
	wrote during this module, so the tests after it find the world as it was, and print the figures."""
	started = now_datetime()  # the clock Frappe stamps `creation` with (the site's time zone)
	t0 = time.monotonic()
	yield
	frappe.db.rollback()
	frappe.set_user("Administrator")
	who = callers(world, extra)
	for user in frappe.get_all(
		"User", filters={"owner": ("in", who), "creation": (">=", started)}, pluck="name"
	):
		frappe.delete_doc("User", user, force=True, ignore_permissions=True)
	for table in _tables():
		if table != "User":
			frappe.db.delete(table, {"owner": ("in", who), "creation": (">=", started)})
	frappe.db.commit()
	reporter = request.config.pluginmanager.get_plugin("terminalreporter")
	if reporter:
		reporter.write_line(
			f"malformed input: {TALLY.requests} requests in {time.monotonic() - t0:.0f} s "
			f"({TALLY.seconds:.0f} s waiting on the server); statuses {dict(sorted(TALLY.statuses.items()))}"
		)


@pytest.fixture(scope="module")
def sessions(base_url, world, extra):
	"""A fresh HTTP session per caller (fresh: a session that rendered a page carries a CSRF token)."""
	made = {}

	def session(key: str | None) -> requests.Session:
		if key in made:
			return made[key]
		s = requests.Session()
		if key == "partner":
			s.headers["Authorization"] = extra["partner_auth"]
		elif key:
			r = s.post(
				f"{base_url}/api/method/login", data={"usr": world.users[key], "pwd": PASSWORD}, timeout=30
			)
			assert r.ok, r.text
		made[key] = s
		return s

	return session


@dataclass
class Tally:
	requests: int = 0
	statuses: dict = field(default_factory=dict)
	seconds: float = 0.0


TALLY = Tally()


def verb(method: str) -> str:
	"""POST, or GET for a method whitelisted for GET only (a download, a read-only API): the request
	must reach the method's own checks, not Frappe's refusal of the HTTP method."""
	allowed = frappe.allowed_http_methods_for_whitelisted_func.get(whitelisted_methods()[method], [])
	return "POST" if "POST" in allowed else "GET"


def post(base_url: str, s: requests.Session, method: str, encoding: str, args: dict) -> requests.Response:
	url = f"{base_url}/api/method/{method}"
	how = verb(method)
	t0 = time.monotonic()
	if encoding == "json":  # Frappe reads a JSON body on a GET too
		r = s.request(
			how, url, data=json.dumps(args), headers={"Content-Type": "application/json"}, timeout=120
		)
	else:  # a form, as frappe.call posts: objects and lists as their JSON (a lone surrogate: bytes that
		# are not UTF-8); on a GET, the same as the query string
		form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in args.items()}
		form = {k: v.encode("utf-8", "surrogatepass") for k, v in form.items()}
		r = s.request(how, url, **({"data": form} if how == "POST" else {"params": form}), timeout=120)
	TALLY.requests += 1
	TALLY.seconds += time.monotonic() - t0
	TALLY.statuses[r.status_code] = TALLY.statuses.get(r.status_code, 0) + 1
	return r


def assert_refused_cleanly(r: requests.Response, method: str, args: dict, before: dict, after: dict):
	where = f"{method} {json.dumps(args, default=str)[:400]}"
	assert r.status_code < 500, f"{r.status_code} from {where}:\n{r.text[:3000]}"
	# A query string over the HTTP server's limit (64 KB for `frappe serve`, less behind nginx) is refused
	# by the server itself, 414, before the app is asked: nothing reached the method.
	server_refused = r.status_code == 414 and r.request.method == "GET"
	if r.status_code >= 400 and not server_refused:
		body = r.json()
		assert body.get("exc_type") or body.get("_server_messages"), (
			f"no message from {where}: {r.text[:500]}"
		)
		if r.status_code == 400 and body.get("exc_type") == "MalformedInputError":
			messages = [json.loads(m)["message"] for m in json.loads(body["_server_messages"])]
			assert messages and all("<b>" in m for m in messages), messages  # each names its field
	if r.status_code >= 400:
		changed = {t for t in before if before[t] != after[t]}
		assert not changed, f"{r.status_code} from {where} still wrote {sorted(changed)}"


METHODS = sorted(FUZZ)


def test_every_whitelisted_method_is_fuzzed(site):
	found = whitelisted_methods()
	assert set(found) == set(FUZZ), (
		f"add to FUZZ: {sorted(set(found) - set(FUZZ))}; gone: {sorted(set(FUZZ) - set(found))}"
	)
	for path, fn in found.items():
		params = inspect.signature(fn).parameters
		assert set(FUZZ[path].valid) <= set(params), path
		# A missing argument must reach the method's own check (Python's TypeError would be a 500).
		assert all(p.default is not inspect.Parameter.empty for p in params.values()), path


@pytest.mark.parametrize("method", METHODS)
def test_no_malformed_request_is_a_server_error(method, world, extra, base_url, sessions):
	fn = whitelisted_methods()[method]
	params = list(inspect.signature(fn).parameters)
	fuzz = FUZZ[method]
	valid = {p: make(world, extra) for p, make in fuzz.valid.items()}
	tables, who = _tables(), callers(world, extra)
	s = sessions(fuzz.user)

	@settings(
		max_examples=SLOW_EXAMPLES if method in SLOW else EXAMPLES,
		deadline=None,
		derandomize=True,
		database=None,
		suppress_health_check=list(HealthCheck),
	)
	@given(calls(params, valid, extra["names"]))
	def one(call):
		encoding, args = call
		before = state["now"]
		r = post(base_url, s, method, encoding, args)
		state["now"] = fingerprint(
			tables, who
		)  # only these requests write here, so it is the next one's before
		assert_refused_cleanly(r, method, args, before, state["now"])

	state = {"now": fingerprint(tables, who)}
	one()


@pytest.mark.parametrize("method", METHODS)
def test_guests_are_refused_without_a_server_error(method, world, extra, base_url, sessions):
	params = list(inspect.signature(whitelisted_methods()[method]).parameters)
	tables, who = _tables(), callers(world, extra)
	s = sessions(None)

	@settings(
		max_examples=GUEST_EXAMPLES,
		deadline=None,
		derandomize=True,
		database=None,
		suppress_health_check=list(HealthCheck),
	)
	@given(calls(params, {}, extra["names"]))
	def one(call):
		encoding, args = call
		before = state["now"]
		r = post(base_url, s, method, encoding, args)
		state["now"] = fingerprint(tables, who)
		# Frappe 16 reads a JSON body before the session, and refuses one orjson cannot read (an integer
		# beyond 64 bits) with a 417 DataError, to guests too; Frappe 15's json module reads it.
		refused_body = r.status_code == 417 and r.json().get("exc_type") == "DataError"
		refused_body |= r.status_code == 414 and r.request.method == "GET"  # the server's own limit
		assert r.status_code in (401, 403) or refused_body, (
			f"{r.status_code} from {method} as Guest: {r.text[:500]}"
		)
		assert_refused_cleanly(r, method, args, before, state["now"])

	state = {"now": fingerprint(tables, who)}
	one()


def test_a_json_array_body_is_refused_cleanly(world, extra, base_url, sessions):
	"""A JSON body that is a list, not an object: Frappe passes it as `data`, which no method takes."""
	tables, who = _tables(), callers(world, extra)
	for method in METHODS:
		before = fingerprint(tables, who)
		s = sessions(FUZZ[method].user)
		r = s.request(
			verb(method),
			f"{base_url}/api/method/{method}",
			data="[1, 2]",
			headers={"Content-Type": "application/json"},
			timeout=120,
		)
		assert_refused_cleanly(r, method, {"<body>": [1, 2]}, before, fingerprint(tables, who))


# ---- the three requests that were a 500 -----------------------------------------------------------
REGISTER = "ap_framework.portal.api.save_register"


@pytest.mark.parametrize(
	"marks, says",
	[
		("this is not JSON", "Is not valid JSON"),
		('{"placement": "PLC-1", "mark": "/"}', "Must be a list of rows, not an object"),
		("[1, 2, 3]", "Row 1 must be an object, not a number"),
	],
	ids=["not-json", "object-not-list", "list-of-numbers"],
)
def test_a_register_that_cannot_be_read_is_a_400_naming_the_marks(
	world, extra, base_url, sessions, marks, says
):
	tables, who = ["AP Attendance", "Notification Log"], callers(world, extra)
	before = fingerprint(tables, who)
	r = sessions("provider_1").post(
		f"{base_url}/api/method/{REGISTER}",
		data={"attendance_date": _day(world, 28), "session": "AM", "marks": marks},
		timeout=30,
	)
	assert r.status_code == 400, r.text[:2000]
	body = r.json()
	assert body["exc_type"] == "MalformedInputError"
	message = json.loads(json.loads(body["_server_messages"])[0])["message"]
	assert "<b>Marks</b>" in message and says in message, message
	assert fingerprint(tables, who) == before

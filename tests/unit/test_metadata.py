"""The app's own metadata, checked without Frappe: every JSON well-formed and consistent with the rest."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from ap_framework.rules import assessment
from ap_framework.scope import SCOPE_FIELDS

APP = Path(__file__).resolve().parents[2] / "ap_framework"
MODULES = [m.strip() for m in (APP / "modules.txt").read_text().splitlines() if m.strip()]
CORE_DOCTYPES = {"User", "Role", "DocType", "File", "Company", "Workflow", "Address", "Contact", "ToDo"}
CORE_ROLES = {"System Manager", "Administrator", "All", "Guest"}
LAYOUT = {"Section Break", "Column Break", "Tab Break"}


def scrub(name: str) -> str:
	return name.lower().replace(" ", "_").replace("-", "_")


def load_doctypes() -> dict[str, tuple[Path, dict]]:
	out = {}
	for path in APP.glob("*/doctype/*/*.json"):
		doc = json.loads(path.read_text())
		if doc.get("doctype") == "DocType":
			out[doc["name"]] = (path, doc)
	return out


DOCTYPES = load_doctypes()
FIXTURES = {p.stem: json.loads(p.read_text()) for p in (APP / "fixtures").glob("*.json")}
ROLES = {r["name"] for r in FIXTURES["role"]} | CORE_ROLES


def test_every_json_file_parses():
	files = list(APP.rglob("*.json"))
	assert len(files) >= 30
	for f in files:
		json.loads(f.read_text())


def test_the_required_doctypes_exist():
	required = {
		"School",
		"Pupil",
		"AP Provider",
		"Safeguarding Assurance",
		"QA Audit",
		"QA Standard",
		"Placement",
		"AP Attendance",
		"Pupil Plan",
		"Plan Review",
		"Development Domain",
		"Domain Assessment",
		"Contact Log",
		"Risk Assessment",
		"Reintegration Plan",
		"AP Settings",
	}
	assert required <= set(DOCTYPES)


@pytest.mark.parametrize("name", sorted(DOCTYPES))
def test_doctype_is_consistent(name):
	path, doc = DOCTYPES[name]
	assert path.stem == scrub(name) and path.parent.name == scrub(name)
	assert doc["module"] in MODULES
	assert path.parents[2].name == scrub(doc["module"])
	names = [f["fieldname"] for f in doc["fields"]]
	assert len(names) == len(set(names)), "duplicate fieldnames"
	assert doc["field_order"] == names
	controller = path.with_suffix(".py")
	assert controller.exists()
	classes = [n.name for n in ast.parse(controller.read_text()).body if isinstance(n, ast.ClassDef)]
	assert name.replace(" ", "") in classes
	for f in doc["fields"]:
		if f["fieldtype"] in ("Link", "Table", "Table MultiSelect"):
			target = f.get("options")
			assert target in DOCTYPES or target in CORE_DOCTYPES, f"{f['fieldname']} -> {target}"
			if f["fieldtype"] == "Table":
				assert DOCTYPES[target][1].get("istable"), f"{target} is not a child table"
		if f.get("fetch_from"):
			link, _, _target = f["fetch_from"].partition(".")
			assert link in names, f"{f['fieldname']} fetches through unknown field {link}"
		if f["fieldtype"] == "Select" and f.get("default"):
			assert f["default"] in f["options"].split("\n")
		if f["fieldtype"] not in LAYOUT:
			assert f.get("label"), f"{f['fieldname']} has no label"
	if doc.get("is_submittable"):
		assert "amended_from" in names
	if doc.get("istable"):
		assert not doc.get("permissions")
		return
	perms = doc["permissions"]
	assert perms, "deny by default means every DocType names who may use it"
	for p in perms:
		assert p["role"] in ROLES, p["role"]
	levels = {f.get("permlevel", 0) for f in doc["fields"]}
	for level in levels:
		assert any(p.get("permlevel", 0) == level for p in perms), f"nobody can read permlevel {level}"
	if doc.get("autoname", "").startswith("field:"):
		assert doc["autoname"][6:] in names


def test_title_and_search_fields_exist():
	for name, (_, doc) in DOCTYPES.items():
		names = {f["fieldname"] for f in doc["fields"]} | {"name"}
		if doc.get("title_field"):
			assert doc["title_field"] in names, name
		for sf in filter(None, (doc.get("search_fields") or "").split(",")):
			assert sf.strip() in names, name


def test_pupil_data_is_tracked_and_scoped():
	"""Every DocType that holds a pupil's data tracks changes and is scoped to a school by permissions.py."""
	for name, (_, doc) in DOCTYPES.items():
		links = {f["options"] for f in doc["fields"] if f["fieldtype"] == "Link"}
		if doc.get("istable"):
			continue
		if "Pupil" in links or name == "Pupil":
			assert doc.get("track_changes"), name
			assert name in SCOPE_FIELDS and SCOPE_FIELDS[name][0] == "school", name
		if "AP Provider" in links:
			assert name in SCOPE_FIELDS and SCOPE_FIELDS[name][1], name
	for name, (school_field, provider_field) in SCOPE_FIELDS.items():
		names = {f["fieldname"] for f in DOCTYPES[name][1]["fields"]} | {"name"}
		assert {school_field, provider_field} - {None} <= names, name


SPECIAL_CATEGORY = {
	# UK GDPR art. 9 (health: SEN), KCSIE (child protection, children in need, looked-after children), and
	# the disadvantage flags schools hold under the same restrictions
	"Pupil Welfare": {
		"sen_status",
		"ehcp",
		"pupil_premium",
		"fsm",
		"looked_after",
		"child_protection",
		"child_in_need",
		"safeguarding_notes",
		"sen_notes",
	},
	"Safeguarding Concern": {"details", "actions_taken"},
}


def test_special_category_facts_live_in_doctypes_only_their_readers_can_read():
	"""A field's permlevel hides its value but, on Frappe v15, not which rows match a filter on it: the
	facts sit in DocTypes of their own that no other role can read (or select) at all."""
	for name, facts in SPECIAL_CATEGORY.items():
		fields = {f["fieldname"] for f in DOCTYPES[name][1]["fields"]}
		assert facts <= fields, name
		perms = DOCTYPES[name][1]["permissions"]
		assert {p["role"] for p in perms if p.get("read") or p.get("select")} == {
			"Safeguarding Lead",
			"AP Administrator",
		}, name
	held_elsewhere = {
		(name, f["fieldname"])
		for name, (_, doc) in DOCTYPES.items()
		if name not in SPECIAL_CATEGORY
		for f in doc["fields"]
		if f["fieldname"] in SPECIAL_CATEGORY["Pupil Welfare"] | {"safeguarding_concern", "concern_details"}
	}
	assert held_elsewhere == set()


def test_no_field_hides_behind_a_permlevel():
	"""On v15 a permlevel leaks through filters, counts and group-by: the app puts nothing behind one."""
	for name, (_, doc) in DOCTYPES.items():
		assert not [f["fieldname"] for f in doc["fields"] if f.get("permlevel")], name


def test_governor_never_reads_pupil_records():
	for name, (_, doc) in DOCTYPES.items():
		links = {f["options"] for f in doc["fields"] if f["fieldtype"] == "Link"}
		if "Pupil" in links or name == "Pupil":
			assert not any(p["role"] == "Governor" for p in doc["permissions"]), name


def test_workflows_are_consistent():
	states = {s["name"] for s in FIXTURES["workflow_state"]}
	actions = {a["name"] for a in FIXTURES["workflow_action_master"]}
	seen = set()
	for wf in FIXTURES["workflow"]:
		seen.add(wf["document_type"])
		_, doc = DOCTYPES[wf["document_type"]]
		field = next(f for f in doc["fields"] if f["fieldname"] == wf["workflow_state_field"])
		options = set(field["options"].split("\n"))
		wf_states = [s["state"] for s in wf["states"]]
		assert set(wf_states) <= states and set(wf_states) <= options
		assert wf_states[0] == field.get("default")
		for s in wf["states"]:
			assert s["allow_edit"] in ROLES
			if s["doc_status"] != "0":
				assert doc.get("is_submittable")
		for t in wf["transitions"]:
			assert t["state"] in wf_states and t["next_state"] in wf_states
			assert t["action"] in actions and t["allowed"] in ROLES
	assert seen == {"Placement", "QA Audit", "Pupil Plan"}


def test_placement_workflow_covers_every_state():
	wf = next(w for w in FIXTURES["workflow"] if w["document_type"] == "Placement")
	assert {s["state"] for s in wf["states"]} == {
		"Draft",
		"Pending Approval",
		"Approved",
		"Active",
		"Ended",
		"Rejected",
		"Cancelled",
	}
	approve = [t for t in wf["transitions"] if t["action"] == "Approve"]
	assert {t["allowed"] for t in approve} == {"Senior Leader", "AP Administrator"}
	assert all(t["allow_self_approval"] == 0 for t in approve)


def test_fixture_roles_match_hooks_and_provider_role_has_no_desk():
	roles = {r["name"]: r for r in FIXTURES["role"]}
	assert set(roles) == {
		"AP Administrator",
		"AP Lead",
		"Safeguarding Lead",
		"Senior Leader",
		"Governor",
		"QA Officer",
		"AP Provider User",
	}
	assert roles["AP Provider User"]["desk_access"] == 0
	hooks = ast.parse((APP / "hooks.py").read_text())
	fixtures = next(n for n in hooks.body if isinstance(n, ast.Assign) and n.targets[0].id == "fixtures")
	listed = ast.literal_eval(fixtures.value)
	for entry in listed:
		assert scrub(entry["dt"]) in FIXTURES, entry["dt"]
		if entry.get("filters"):
			names = set(entry["filters"][0][2])
			assert names == {d["name"] for d in FIXTURES[scrub(entry["dt"])]}, entry["dt"]


def test_development_framework_fixture():
	domains = FIXTURES["development_domain"]
	assert 8 <= len(domains) <= 10
	assert len({d["code"] for d in domains}) == len(domains)
	for d in domains:
		levels = [x["level"] for x in d["descriptors"]]
		assert assessment.check_descriptor_levels(levels) == [] and len(levels) == 5, d["name"]
		assert all(x["descriptor"].strip() for x in d["descriptors"])


def test_qa_standards_cover_the_four_areas():
	areas = {s["area"] for s in FIXTURES["qa_standard"]}
	_, qa = DOCTYPES["QA Standard"]
	options = next(f for f in qa["fields"] if f["fieldname"] == "area")["options"].split("\n")
	assert areas == set(options) and len(areas) == 4


def test_rules_import_nothing_from_frappe():
	for path in (APP / "rules").glob("*.py"):
		tree = ast.parse(path.read_text())
		for node in ast.walk(tree):
			if isinstance(node, ast.Import):
				assert not any(a.name.split(".")[0] == "frappe" for a in node.names), path
			if isinstance(node, ast.ImportFrom):
				assert (node.module or "").split(".")[0] != "frappe", path


def test_hooks_point_at_real_functions():
	hooks = (APP / "hooks.py").read_text()
	for dotted in {
		s
		for s in ast.walk(ast.parse(hooks))
		if isinstance(s, ast.Constant) and isinstance(s.value, str) and s.value.startswith("ap_framework.")
	}:
		module, _, func = dotted.value.rpartition(".")
		source = APP.parent / (module.replace(".", "/") + ".py")
		assert source.exists(), dotted.value
		assert f"def {func}(" in source.read_text(), dotted.value


def _standard_records(kind: str) -> dict[str, dict]:
	return {d["name"]: d for d in (json.loads(p.read_text()) for p in APP.glob(f"*/{kind}/*/*.json"))}


FRAPPE_DOCTYPES = {"Data Import"}  # the platform's own, linked from the workspace


def test_reports_workspace_cards_and_charts_are_consistent():
	reports = _standard_records("report")
	cards = _standard_records("number_card")
	charts = _standard_records("dashboard_chart")
	sources = _standard_records("dashboard_chart_source")
	assert len(reports) >= 8
	for name, r in reports.items():
		assert (
			r["ref_doctype"] in DOCTYPES and r["report_type"] == "Script Report" and r["is_standard"] == "Yes"
		)
		assert {x["role"] for x in r["roles"]} <= ROLES, name
		folder = APP / scrub(r["module"]) / "report" / scrub(name)  # finance reports live in finance/
		assert "def execute(" in (folder / f"{scrub(name)}.py").read_text(), name
	governors = {x["role"] for x in reports["AP Governors Report"]["roles"]}
	assert "Governor" in governors
	assert all(
		"Governor" not in {x["role"] for x in r["roles"]}
		for n, r in reports.items()
		if n != "AP Governors Report"
	)
	for name, card in cards.items():
		if card["type"] == "Custom":
			module, _, func = card["method"].rpartition(".")
			assert f"def {func}(" in (APP.parent / (module.replace(".", "/") + ".py")).read_text(), name
		else:
			assert card["document_type"] in DOCTYPES, name
	for chart in charts.values():
		assert (
			chart.get("source") in sources
			if chart["chart_type"] == "Custom"
			else chart["document_type"] in DOCTYPES
		)
	workspaces = _standard_records("workspace")
	for workspace in workspaces.values():
		for s in workspace["shortcuts"]:
			if s["type"] == "URL":
				module, _, func = s["url"].removeprefix("/api/method/").partition("?")[0].rpartition(".")
				assert f"def {func}(" in (APP.parent / (module.replace(".", "/") + ".py")).read_text(), s
				continue
			if s["link_to"] in FRAPPE_DOCTYPES:
				continue
			assert s["link_to"] in (reports if s["type"] == "Report" else DOCTYPES), s
		assert {c["number_card_name"] for c in workspace["number_cards"]} <= set(cards)
		assert {c["chart_name"] for c in workspace["charts"]} <= set(charts)
		blocks = json.loads(workspace["content"])
		# every block names a record the workspace lists (Frappe renders a block only through its list)
		assert {b["data"].get("shortcut_name") for b in blocks if b["type"] == "shortcut"} == {
			s["label"] for s in workspace["shortcuts"]
		}
		assert {b["data"].get("number_card_name") for b in blocks if b["type"] == "number_card"} == {
			c["label"] for c in workspace["number_cards"]
		}
		assert {b["data"].get("chart_name") for b in blocks if b["type"] == "chart"} == {
			c["label"] for c in workspace["charts"]
		}
		cards_listed = {x["label"] for x in workspace["links"] if x["type"] == "Card Break"}
		assert {b["data"].get("card_name") for b in blocks if b["type"] == "card"} == cards_listed
		assert len({b["id"] for b in blocks}) == len(blocks), workspace["name"]
		named = [b["data"].get("shortcut_name") for b in blocks if b["type"] == "shortcut"]
		assert len(named) == len(set(named)), (workspace["name"], "a shortcut shown twice")
	# every card and chart is on some home
	assert {c["number_card_name"] for w in workspaces.values() for c in w["number_cards"]} == set(cards)
	assert {c["chart_name"] for w in workspaces.values() for c in w["charts"]} == set(charts)


def test_every_template_the_workspace_offers_is_a_file_of_the_app():
	"""The import templates are served by setup/templates.py from public/templates/: each one a shortcut
	names is in its table and on disk."""
	import re

	source = (APP / "setup" / "templates.py").read_text()
	table = dict(re.findall(r'"(\w+)": "([\w.]+\.csv)"', source))
	offered = {
		s["url"].partition("?template=")[2]
		for w in _standard_records("workspace").values()
		for s in w["shortcuts"]
		if s["type"] == "URL" and "templates.download" in s["url"]
	}
	assert offered and offered <= set(table)
	for name in table.values():
		assert (APP / "public" / "templates" / name).is_file(), name

"""Each role's home, checked in the app's own JSON: who it is for, and that nothing on it is another role's.

The issue this answers: a Governor landed on Frappe's Home with nothing of Alternative Provision, and an
AP Lead's home showed "Providers not approved", a figure about the LA's catalogue, beside their school's.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from ap_framework.rules import data_import, homes
from ap_framework.scope import SCOPE_FIELDS

APP = Path(__file__).resolve().parents[2] / "ap_framework"
FIXTURE_ROLES = {r["name"] for r in json.loads((APP / "fixtures" / "role.json").read_text())}
DESK_ROLES = {r["name"] for r in json.loads((APP / "fixtures" / "role.json").read_text()) if r["desk_access"]}
SCHOOL_ROLES = {"AP Lead", "Safeguarding Lead", "Senior Leader", "Governor"}  # held to their own school
# pupil-level records: a DocType scoped by school (School itself names no pupil)
PUPIL_LEVEL = {dt for dt, (school, _provider) in SCOPE_FIELDS.items() if school and school != "name"}


def _records(kind: str) -> dict[str, dict]:
	return {d["name"]: d for d in (json.loads(p.read_text()) for p in APP.glob(f"*/{kind}/*/*.json"))}


WORKSPACES = _records("workspace")
CARDS = _records("number_card")
CHARTS = _records("dashboard_chart")
REPORTS = _records("report")
DOCTYPE_MODULE = {
	d["name"]: d["module"]
	for d in (json.loads(p.read_text()) for p in APP.glob("*/doctype/*/*.json"))
	if d.get("doctype") == "DocType"
}
READS = {
	d["name"]: {p["role"] for p in d.get("permissions", []) if p.get("read")}
	for d in (json.loads(p.read_text()) for p in APP.glob("*/doctype/*/*.json"))
	if d.get("doctype") == "DocType"
}
# Frappe's own, opened to the importer by Custom DocPerm at install (tests/integration/test_data_import_access.py)
READS["Data Import"] = {"System Manager", data_import.IMPORTER}


def test_every_desk_role_has_exactly_one_home():
	held = [r for roles in homes.HOMES.values() for r in roles]
	assert sorted(held) == sorted(set(held)), "a role with two homes"
	assert set(held) == DESK_ROLES  # the provider's home is the portal (/ap), not the desk
	assert "AP Provider User" not in held


@pytest.mark.parametrize("home", sorted(homes.HOMES))
def test_a_home_opens_for_exactly_its_roles(home):
	"""The workspace's roles are the roles landing on it: a role missing would land on "Not permitted"."""
	ws = WORKSPACES[home]
	assert {r["role"] for r in ws["roles"]} == set(homes.HOMES[home])
	assert ws["public"] == 1 and not ws["is_hidden"]
	# Frappe refuses a workspace of a module in which the user reads no DocType (compat.py, 14)
	for role in homes.HOMES[home]:
		modules = {
			DOCTYPE_MODULE[dt] for dt, roles in READS.items() if role in roles and dt in DOCTYPE_MODULE
		}
		assert ws["module"] in modules, (home, role, ws["module"])


def test_the_login_goes_to_each_roles_home():
	pages = homes.role_home_pages()
	for home, roles in homes.HOMES.items():
		for role in roles:
			assert pages[role] == f"app/{homes.slug(home)}"
	assert homes.slug("AP Quality Assurance") == "ap-quality-assurance"
	hooks = ast.parse((APP / "hooks.py").read_text())
	assigned = {
		t.id: n.value
		for n in ast.walk(hooks)
		if isinstance(n, ast.Assign)
		for t in n.targets
		if hasattr(t, "id")
	}
	assert "_role_home_pages" in ast.unparse(assigned["role_home_page"])


def test_a_user_of_several_roles_lands_on_the_widest_home():
	assert homes.home_for(["Governor", "AP Lead"]) == "AP School"
	assert homes.home_for(["QA Officer", "AP Administrator"]) == "Alternative Provision"
	assert homes.home_for(["Senior Leader"]) == "AP School"
	assert homes.home_for(["Governor"]) == "AP Governors"
	assert homes.home_for(["AP Provider User"]) is None
	assert homes.home_for([]) is None


@pytest.mark.parametrize("home", sorted(homes.HOMES))
def test_nothing_on_a_schools_home_is_a_figure_about_the_la(home):
	"""A school role's cards count its own school's rows: none counts the LA's provider catalogue."""
	if not set(homes.HOMES[home]) & SCHOOL_ROLES:
		return
	for c in WORKSPACES[home]["number_cards"]:
		card = CARDS[c["number_card_name"]]
		if card["type"] == "Document Type":
			assert card["document_type"] in PUPIL_LEVEL, (home, card["name"])  # scoped by school
		else:
			assert card["method"].startswith("ap_framework.oversight.cards."), card["name"]
	assert "AP Providers Not Approved" not in {
		c["number_card_name"] for c in WORKSPACES[home]["number_cards"]
	}


@pytest.mark.parametrize("home", sorted(homes.HOMES))
def test_everything_on_a_home_is_for_one_of_its_roles(home):
	"""Frappe hides what the user may not read; a home holds nothing none of its roles may use."""
	ws, roles = WORKSPACES[home], set(homes.HOMES[home])
	for c in ws["charts"]:
		assert roles <= {r["role"] for r in CHARTS[c["chart_name"]]["roles"]}, (home, c)
	for c in ws["number_cards"]:
		assert roles & READS[CARDS[c["number_card_name"]]["document_type"]], (home, c)
	for s in ws["shortcuts"]:
		if s["type"] == "Report":
			assert roles & {r["role"] for r in REPORTS[s["link_to"]]["roles"]}, (home, s)
		elif s["type"] == "DocType":
			assert roles & READS[s["link_to"]], (home, s)
	for link in ws["links"]:
		if link["type"] == "Link":
			assert roles & READS[link["link_to"]], (home, link)


def test_the_governors_home_names_no_pupil():
	"""Figures only: cards on School (which a Governor reads), the governors' report; no pupil-level list,
	record link or chart."""
	ws = WORKSPACES["AP Governors"]
	assert not ws["charts"]
	assert all(CARDS[c["number_card_name"]]["document_type"] == "School" for c in ws["number_cards"])
	assert all(CARDS[c["number_card_name"]]["type"] == "Custom" for c in ws["number_cards"])
	assert [s["link_to"] for s in ws["shortcuts"]] == ["AP Governors Report"]
	assert not [x for x in ws["links"] if x["type"] == "Link" and x["link_to"] in PUPIL_LEVEL]

"""The demo people: one login per role, each landing where its role works and seeing only its scope.

make_demo(people=True) calls make_people with the first demo school and two approved providers; here the
same function is given a school and providers of the test's own (so what each login should see is known
whatever else the site holds), and the logins are tried over real HTTP and through frappe.get_list."""

from __future__ import annotations

import contextlib
import io
import json
import random

import frappe
import pytest

from ap_framework.setup import demo
from tests.integration.conftest import PASSWORD

STAFF = ("ap.lead", "safeguarding.lead", "senior.leader")


def key(login):
	return f"demo:{login}"


@pytest.fixture(scope="module")
def town(world):
	"""A school of the demo people's own beside the world's school B; provider P (the first provider
	user's) places pupils at both schools, provider Q (the second's) at the demo school only."""
	t = frappe._dict()
	ukprn = lambda: str(random.randint(10_000_000, 19_999_999))  # noqa: E731
	t.school = world.school("Demo People School", str(random.randint(4_000_000, 4_999_999)))
	t.p = world.provider("Demo People P", "Non-school AP", ukprn=ukprn())
	t.q = world.provider("Demo People Q", "Non-school AP", ukprn=ukprn())
	names = {}
	for label, school, provider in (
		("own_p", t.school, t.p),
		("own_q", t.school, t.q),
		("other_p", world.school_b, t.p),
	):
		pupil = world.pupil(school, last_name=f"Demo{label.replace('_', '')}{world.token}")
		names[label] = world.placement(pupil, provider, "Active").name
	t.placements = names
	t.domain = f"{world.token.lower()}.demo-people.example.com"
	out = io.StringIO()
	with contextlib.redirect_stdout(out):
		t.made = demo.make_people(t.school, [t.p, t.q], domain=t.domain, password=PASSWORD)
	t.printed = out.getvalue()
	for login, *_rest in demo.PEOPLE:
		world.users[key(login)] = f"{login}@{t.domain}"  # removed with the world
	frappe.local.outgoing_email_account = {}  # the invitations' sender: later tests find their own
	frappe.db.commit()  # the HTTP server is another process
	yield t
	frappe.db.rollback()
	frappe.set_user("Administrator")
	# committed, so removed here: later tests (the jobs) must not find these schools, staff or officers
	world.remove([t.school], [t.p, t.q], [key(login) for login, *_rest in demo.PEOPLE])
	frappe.db.commit()


def pupil_name(placement):
	return frappe.db.get_value("Placement", placement, "pupil_name")


def visible(user, doctype="Placement"):
	frappe.set_user(user)
	try:
		return set(frappe.get_list(doctype, pluck="name", limit_page_length=0))
	finally:
		frappe.set_user("Administrator")


class TestMadeOnce:
	def test_every_role_has_one_login_printed_once_with_its_password(self, town):
		logins = [f"{login}@{town.domain}" for login, *_rest in demo.PEOPLE]
		assert [m[0] for m in town.made] == logins
		roles = {r for *_l, r, _s, _f in demo.PEOPLE}
		assert roles == {
			"AP Administrator",
			"QA Officer",
			"AP Lead",
			"Safeguarding Lead",
			"Senior Leader",
			"Governor",
			"AP Provider User",
		}
		for email in logins:
			assert town.printed.count(email) == 1
		assert town.printed.count(PASSWORD) == len(logins)

	def test_a_second_run_makes_nobody_and_prints_nothing(self, town):
		out = io.StringIO()
		with contextlib.redirect_stdout(out):
			again = demo.make_people(town.school, [town.p, town.q], domain=town.domain, password="other")
		assert again == [] and out.getvalue() == ""
		assert frappe.db.count("User", {"name": ("like", f"%@{town.domain}")}) == len(demo.PEOPLE)
		assert (
			frappe.db.count("User Permission", {"user": ("like", f"%@{town.domain}")})
			== len(STAFF) + 1 + 2  # the school staff and the governor on the school; a provider each
		)

	def test_without_a_password_each_login_gets_its_own_random_one(self, world):
		domain = f"{world.token.lower()}.random.example.com"
		out = io.StringIO()
		with contextlib.redirect_stdout(out):
			made = demo.make_people(world.school_a, [world.p1, world.p2], domain=domain)
		secrets = [m[1] for m in made]
		assert len(set(secrets)) == len(demo.PEOPLE) and all(len(s) >= 16 for s in secrets)
		# rolled back with the test: nothing of it was committed

	def test_the_school_names_its_staff(self, town):
		row = frappe.db.get_value("School", town.school, ["ap_lead", "dsl", "senior_leader"], as_dict=True)
		assert row == {
			"ap_lead": f"ap.lead@{town.domain}",
			"dsl": f"safeguarding.lead@{town.domain}",
			"senior_leader": f"senior.leader@{town.domain}",
		}

	def test_provider_users_are_invited_portal_users_of_one_provider(self, town):
		for login, provider in (("harbour", town.p), ("open.doors", town.q)):
			email = f"{login}@{town.domain}"
			assert frappe.db.get_value("User", email, "user_type") == "Website User"
			assert frappe.get_all(
				"User Permission", filters={"user": email}, fields=["allow", "for_value"]
			) == [{"allow": "AP Provider", "for_value": provider}]


class TestEachLoginSeesItsScope:
	@pytest.mark.parametrize(
		"login,landing",
		[
			(login, "/ap" if role == "AP Provider User" else "desk")
			for login, _f, _l, role, *_r in demo.PEOPLE
		],
	)
	def test_login_lands_where_the_role_works(self, town, base_url, login, landing):
		import requests

		s = requests.Session()
		r = s.post(
			f"{base_url}/api/method/login",
			data={"usr": f"{login}@{town.domain}", "pwd": PASSWORD},
			timeout=30,
		)
		assert r.ok, r.text
		home = "/" + r.json()["home_page"].lstrip("/")  # v16 answers "desk", v15 "/app"
		if landing == "desk":
			assert home.startswith(("/app", "/desk")), home
		else:
			assert home == landing
		assert s.get(base_url + home, timeout=60).status_code == 200

	@pytest.mark.parametrize("login", STAFF)
	def test_school_staff_see_only_their_schools_placements(self, town, http, login):
		s = http(key(login))
		r = s.get(
			f"{s.base}/api/resource/Placement",
			params={"fields": json.dumps(["name", "school"]), "limit_page_length": 0},
			timeout=30,
		)
		assert r.status_code == 200, r.text[:300]
		rows = r.json()["data"]
		assert {row["school"] for row in rows} == {town.school}
		assert {row["name"] for row in rows} == {town.placements["own_p"], town.placements["own_q"]}
		assert visible(f"{login}@{town.domain}") == {town.placements["own_p"], town.placements["own_q"]}

	def test_the_la_officer_sees_every_school(self, town, world):
		seen = visible(f"la.officer@{town.domain}")
		assert set(town.placements.values()) | {world.pb1} <= seen

	def test_the_qa_officer_sees_providers_but_no_pupil_records(self, town):
		user = f"qa.officer@{town.domain}"
		assert {town.p, town.q} <= visible(user, "AP Provider")
		for doctype in ("Placement", "Pupil"):
			with pytest.raises(frappe.PermissionError):
				visible(user, doctype)

	def test_the_governor_sees_schools_but_no_pupil_records(self, town):
		user = f"governor@{town.domain}"
		assert town.school in visible(user, "School")
		for doctype in ("Placement", "Pupil"):
			with pytest.raises(frappe.PermissionError):
				visible(user, doctype)

	@pytest.mark.parametrize(
		"login,own,others",
		[("harbour", ("own_p", "other_p"), ("own_q",)), ("open.doors", ("own_q",), ("own_p", "other_p"))],
	)
	def test_a_provider_user_reaches_the_portal_with_only_its_placements(
		self, town, http, login, own, others
	):
		s = http(key(login))
		r = s.get(f"{s.base}/ap", timeout=60, allow_redirects=False)
		assert r.status_code == 200, r.text[:300]
		assert all(pupil_name(town.placements[k]) in r.text for k in own)
		assert not any(pupil_name(town.placements[k]) in r.text for k in others)
		assert visible(f"{login}@{town.domain}") == {town.placements[k] for k in own}

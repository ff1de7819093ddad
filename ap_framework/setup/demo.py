"""A believable local authority, loaded idempotently.

    bench --site SITE execute ap_framework.setup.demo.make_demo
    bench --site SITE execute ap_framework.setup.demo.make_demo --kwargs "{'scale': 50000}"
    bench --site SITE execute ap_framework.setup.demo.make_demo --kwargs "{'password': 'a-long-secret'}"

The story set (schools, providers in every approval state, pupils, placements in every workflow state,
attendance, assessments, plans, reviews, logs) is made through the documents themselves, so every rule
and workflow runs. `scale` adds that many more placements with set-based inserts, for benchmarks.

The demo people (PEOPLE): one login per role at @demo-la.example.com, scoped as real staff are (a User
Permission on their School or AP Provider; the school names its AP Lead, Safeguarding Lead and Senior
Leader), so a newcomer can sign in as each role and see its view. Each login is printed once, when it is
made, with its password: a random one per user unless `password` is given. Never a fixed password: a demo
loaded on a reachable site must not open it to anyone who has read this file.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, getdate, now_datetime, today
from frappe.utils.password import update_password

from ap_framework.placement import attendance_window, registers_due
from ap_framework.rules import attendance as attendance_rules
from ap_framework.rules.policies import NON_SCHOOL, REQUIRED_POLICIES
from ap_framework.rules.upn import with_check_letter

LA_CODE = "801"
TRUST = "Demo Learning Trust"
SCHOOLS = [
	("Demo Hillside Academy", "140001", TRUST, "Secondary"),
	("Demo Riverside Academy", "140002", TRUST, "Secondary"),
	("Demo Castle Park School", "140003", "", "Secondary"),
	("Demo Meadow Primary", "140004", "", "Primary"),
]
# name, registration status, urn, ukprn, approval outcome (None: never audited)
PROVIDERS = [
	("Demo Harbour PRU", "PRU", "150001", "", "Approved"),
	("Demo Northgate AP Academy", "AP Academy", "150002", "", "Approved"),
	("Demo Open Doors Project", "Non-school AP", "", "10000001", "Approved"),
	("Demo Fresh Start Farm", "Non-school AP", "", "", "Under Review"),
	("Demo City Tutors", "Non-school AP", "", "", "Suspended"),
	("Demo Skills Garage", "Non-school AP", "", "10000002", "Not Approved"),
	("Demo New Provider", "Non-school AP", "", "", None),
]
FIRST = [
	"Amir",
	"Bella",
	"Callum",
	"Dana",
	"Eli",
	"Freya",
	"Gus",
	"Hana",
	"Isaac",
	"Jade",
	"Kai",
	"Lola",
	"Milo",
	"Nia",
	"Owen",
	"Priya",
	"Quinn",
	"Rhys",
	"Sana",
	"Theo",
	"Uma",
	"Vince",
	"Willow",
	"Xander",
	"Yara",
	"Zac",
]
LAST = [
	"Adams",
	"Begum",
	"Clarke",
	"Davies",
	"Evans",
	"Fox",
	"Green",
	"Hussain",
	"Iqbal",
	"Jones",
	"Khan",
	"Lewis",
	"Mensah",
	"Nowak",
	"Okafor",
	"Patel",
	"Quayle",
	"Robinson",
	"Smith",
	"Taylor",
	"Usman",
	"Vaughan",
	"Walker",
]
TYPES = ["Off-site Direction", "Dual Registration", "LA-arranged", "Managed Move Trial", "Off-site Direction"]
STATES = [
	"Active",
	"Active",
	"Active",
	"Approved",
	"Pending Approval",
	"Draft",
	"Ended",
	"Rejected",
	"Cancelled",
]
DEMO_DOMAIN = "demo-la.example.com"
# One login per role: (login, first name, last name, role, scoped to: "school" / "provider:<n>" / None,
# the School field naming them). The school staff belong to the first demo school; the two provider
# users to the first and third approved providers.
PEOPLE = [
	("la.officer", "Lena", "Officer", "AP Administrator", None, None),
	("qa.officer", "Quentin", "Assessor", "QA Officer", None, None),
	("ap.lead", "Alex", "Lead", "AP Lead", "school", "ap_lead"),
	("safeguarding.lead", "Sam", "Guardian", "Safeguarding Lead", "school", "dsl"),
	("senior.leader", "Sunita", "Head", "Senior Leader", "school", "senior_leader"),
	("governor", "Graham", "Governor", "Governor", "school", None),
	("harbour", "Hannah", "Harbour", "AP Provider User", "provider:0", None),
	("open.doors", "Omar", "Doors", "AP Provider User", "provider:1", None),
]
PATH = {
	"Draft": [],
	"Pending Approval": ["Submit for Approval"],
	"Approved": ["Submit for Approval", "Approve"],
	"Active": ["Submit for Approval", "Approve", "Start"],
	"Ended": ["Submit for Approval", "Approve", "Start", "End"],
	"Rejected": ["Submit for Approval", "Reject"],
	"Cancelled": ["Cancel"],
}


def make_demo(
	placements: int = 60, scale: int = 0, seed: int = 7, people: bool = True, password: str | None = None
) -> dict:
	"""Load the demo LA; safe to run again (it tops up, never duplicates). `people`: one login per role
	(see PEOPLE), printed once when made, with `password` or a random one each."""
	rng = random.Random(seed)
	frappe.flags.mute_emails = True
	schools = [_school(*s) for s in SCHOOLS]
	providers = [_provider(*p, rng=rng) for p in PROVIDERS]
	usable = [p for p, spec in zip(providers, PROVIDERS, strict=True) if spec[4] == "Approved"]
	made = _story(schools, usable, providers, placements, rng)
	if people:
		made["people"] = len(make_people(schools[0], [usable[0], usable[2]], password=password))
	if scale:
		made["scaled"] = make_scale(scale, seed=seed)
	made["attendance_windows"] = attendance_window.rebuild()  # marks written set-based, summed once
	registers_due.rebuild()  # and today's registers due, marked where those marks are
	frappe.db.commit()  # a bench command, not a request: keep what was loaded
	return made


# ---- the demo people ---------------------------------------------------------------------------------
def make_people(
	school: str, providers: list[str], domain: str = DEMO_DOMAIN, password: str | None = None
) -> list[tuple[str, str, str]]:
	"""One login per role (PEOPLE) at `domain`: school staff scoped to `school` (and named on it), provider
	users invited to `providers` through the portal's own invitation. Users that exist already are left as
	they are (their scope topped up); only new ones are printed and returned as (login, password, role)."""
	from ap_framework.portal.users import invite_provider_user

	made = []
	for login, first, last, role, scoped, school_field in PEOPLE:
		email = f"{login}@{domain}"
		new = not frappe.db.exists("User", email)
		if scoped and scoped.startswith("provider:"):
			# The officers' own path, as the demo's LA officer (made first): the provider role and one User
			# Permission on the provider, and the welcome email from the officer's address (Administrator
			# has none to send from on a site with no outgoing account yet).
			as_user = frappe.session.user
			frappe.set_user(f"{PEOPLE[0][0]}@{domain}")
			try:
				invite_provider_user(
					provider=providers[int(scoped.split(":")[1])],
					email=email,
					first_name=first,
					last_name=last,
				)
			finally:
				frappe.set_user(as_user)
		else:
			_staff_user(email, first, last, role, school if scoped == "school" else None, new)
		if school_field and not frappe.db.get_value("School", school, school_field):
			frappe.db.set_value("School", school, school_field, email)
		if new:
			secret = password or secrets.token_urlsafe(12)
			update_password(email, secret)
			made.append((email, secret, role))
	for email, secret, role in made:
		print(f"{role:<18} {email:<40} {secret}")
	return made


def _staff_user(email, first, last, role, school, new):
	if new:
		# A bench command as Administrator: the demo's own users, with the one role each is for.
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first,
				"last_name": last,
				"send_welcome_email": 0,
				"roles": [{"role": role}],
			}
		).insert(ignore_permissions=True)
	if school and not frappe.db.exists(
		"User Permission", {"user": email, "allow": "School", "for_value": school}
	):
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": email,
				"allow": "School",
				"for_value": school,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)


# ---- the story set ---------------------------------------------------------------------------------
def _school(name, urn, trust, phase):
	if not frappe.db.exists("School", name):
		frappe.get_doc(
			{
				"doctype": "School",
				"school_name": name,
				"urn": urn,
				"la_code": LA_CODE,
				"trust": trust,
				"phase": phase,
				"town": "Bristol",
				"postcode": "BS1 5TR",
			}
		).insert()
	return name


def _provider(name, status, urn, ukprn, outcome, rng):
	if frappe.db.exists("AP Provider", name):
		return name
	frappe.get_doc(
		{
			"doctype": "AP Provider",
			"provider_name": name,
			"registration_status": status,
			"urn": urn,
			"ukprn": ukprn,
			"town": "Bristol",
			"postcode": "BS2 0JA",
			"capacity": 30,
			"cost_per_session": 60,
			"offers_pshe": 1,
			"offers_rse": int(outcome == "Approved"),
			"offers_careers": int(rng.random() > 0.5),
			"contacts": [
				{"contact_role": "Safeguarding", "full_name": f"{name} DSL", "email": "dsl@example.org"},
				{"contact_role": "Attendance", "full_name": f"{name} Office", "email": "office@example.org"},
			],
		}
	).insert()
	if outcome in ("Approved", "Under Review"):
		frappe.get_doc(
			{
				"doctype": "Safeguarding Assurance",
				"provider": name,
				"received_date": add_days(today(), -60),
				"valid_until": add_days(today(), 300 if outcome == "Approved" else 10),
				"signed_by": "Head of Centre",
				"enhanced_dbs_checked": 1,
				"single_central_record": 1,
				"dsl_named": 1,
			}
		).insert()
	if status == NON_SCHOOL and outcome in ("Approved", "Under Review"):
		_policies(name)
	if outcome:
		_audit(name, outcome)
	return name


def _policies(provider):
	"""The required policies a commissioner asks of a non-school provider, one nearly due for review."""
	for i, policy_type in enumerate(REQUIRED_POLICIES):
		frappe.get_doc(
			{
				"doctype": "Provider Policy",
				"provider": provider,
				"policy_type": policy_type,
				"policy_file": "https://example.org/policies/demo.pdf",
				"dated_on": add_days(today(), -330 if i == 0 else -60),
				"review_date": add_days(today(), 20 if i == 0 else 300),
			}
		).insert()


def _audit(provider, outcome):
	standards = frappe.get_all("QA Standard", fields=["name", "area"], order_by="name")
	rating = {
		"Approved": "Met",
		"Under Review": "Partly Met",
		"Suspended": "Not Met",
		"Not Approved": "Not Met",
	}[outcome]
	audit = frappe.get_doc(
		{
			"doctype": "QA Audit",
			"provider": provider,
			"audit_type": "Annual",
			"audit_date": add_days(today(), -30),
			"overall_outcome": outcome,
			"items": [{"standard": s.name, "rating": rating, "evidence": "Seen on visit"} for s in standards],
			"actions": []
			if rating == "Met"
			else [{"action": "Address the gaps found", "due_date": add_days(today(), 30)}],
		}
	)
	audit.insert()
	for action in ("Submit for Review", "Approve"):
		audit = apply_workflow(audit, action)


def _story(schools, usable, providers, count, rng):
	existing = set(frappe.get_all("Pupil", filters={"upn": ("like", f"%{LA_CODE}4%")}, pluck="upn"))
	made = {"pupils": 0, "placements": 0}
	for i in range(count):
		school_idx = i % len(schools)
		upn = with_check_letter(f"{LA_CODE}{4000 + school_idx}25{i:03d}")
		if upn in existing:
			continue
		pupil = frappe.get_doc(
			{
				"doctype": "Pupil",
				"first_name": rng.choice(FIRST),
				"last_name": rng.choice(LAST),
				"date_of_birth": add_days(today(), -365 * rng.randint(11, 15) - rng.randint(0, 300)),
				"upn": upn,
				"school": schools[school_idx],
				"year_group": f"Year {rng.randint(7, 11)}",
				"contacts": [
					{
						"contact_name": "Parent " + rng.choice(LAST),
						"relationship": "Parent",
						"phone": "07700900123",
						"parental_responsibility": 1,
						"emergency_contact": 1,
					}
				],
			}
		)
		pupil.flags.welfare = {  # the pupil's special-category facts, in their own record
			"sen_status": rng.choice("NNNKKE"),
			"looked_after": int(rng.random() < 0.08),
			"child_in_need": int(rng.random() < 0.15),
			"pupil_premium": int(rng.random() < 0.5),
		}
		pupil.insert()
		made["pupils"] += 1
		state = STATES[i % len(STATES)]
		provider = usable[i % len(usable)]
		made["placements"] += 1
		_placement(pupil, provider, state, rng)
	return made


def _placement(pupil, provider, state, rng):
	start = (
		getdate(add_days(today(), -rng.randint(20, 120)))
		if state in ("Active", "Ended")
		else getdate(add_days(today(), 7))
	)
	days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"][: rng.choice([3, 5, 5])]
	placement_type = TYPES[rng.randint(0, len(TYPES) - 1)]
	doc = frappe.get_doc(
		{
			"doctype": "Placement",
			"pupil": pupil.name,
			"provider": provider,
			"placement_type": placement_type,
			"start_date": start,
			"planned_end_date": add_days(start, 120),
			"rationale": "Needs a smaller setting to rebuild routines and regulation; the home school keeps close oversight.",
			"timetable": [{"weekday": d, "start_time": "09:00:00", "end_time": "15:00:00"} for d in days],
			"part_time_justification": "Phased start agreed with the family" if len(days) < 5 else None,
			"part_time_review_date": add_days(start, 28) if len(days) < 5 else None,
			"census_reason": "BEH" if placement_type != "Dual Registration" else None,
			"census_association": "NON",
		}
	)
	doc.insert()
	for action in PATH[state]:
		if action == "End":
			doc.end_date, doc.end_outcome = add_days(today(), -1), "Reintegrated to Home School"
			doc.save()  # workflow actions act on the saved document
		doc = apply_workflow(doc, action)
	if state in ("Active", "Ended"):
		_records(doc, rng)


def _records(placement, rng):
	"""Attendance, a baseline and a later assessment, a plan, a review and a visit for a running placement."""
	start = getdate(placement.start_date)
	last = getdate(placement.end_date) if placement.end_date else getdate(today())
	days = {r.weekday for r in placement.timetable}
	day = max(start, last - timedelta(days=21))
	while day <= last:
		if day.strftime("%A") in days:
			for session in ("AM", "PM"):
				mark = rng.choices(
					[attendance_rules.present_mark(session), "L", "I", "N", "O"], [80, 5, 6, 4, 5]
				)[0]
				frappe.get_doc(
					{
						"doctype": "AP Attendance",
						"placement": placement.name,
						"attendance_date": day,
						"session": session,
						"mark": mark,
						"minutes_late": rng.randint(5, 20) if mark == "L" else None,
					}
				).insert()
		day += timedelta(days=1)
	domains = frappe.get_all("Development Domain", filters={"is_active": 1}, pluck="name")
	baseline_scores = {d: rng.randint(1, 3) for d in domains}
	for when, baseline in ((start, 1), (min(last, start + timedelta(days=35)), 0)):
		scores = (
			baseline_scores
			if baseline
			else {d: min(5, s + rng.randint(0, 2)) for d, s in baseline_scores.items()}
		)
		frappe.get_doc(
			{
				"doctype": "Domain Assessment",
				"pupil": placement.pupil,
				"placement": placement.name,
				"assessment_date": when,
				"is_baseline": baseline,
				"strengths": "Creative; good with younger pupils.",
				"barriers": "Anxiety in busy spaces.",
				"scores": [{"domain": d, "score": s} for d, s in scores.items()],
			}
		).submit()
	plan = frappe.get_doc(
		{
			"doctype": "Pupil Plan",
			"placement": placement.name,
			"plan_start": start,
			"baseline_summary": "See baseline assessment.",
			"triggers": "Crowded corridors; raised voices.",
			"strategies_that_work": "Calm check-in on arrival; a named adult.",
			"strategies_to_avoid": "Public sanctions.",
			"early_warning_signs": "Hood up, withdrawing from talk.",
			"reintegration_criteria": "Attends 90% for six weeks.",
			"objectives": [
				{
					"domain": domains[0],
					"objective": "Use a calm-down plan when upset",
					"success_criteria": "Uses it unprompted three times a week",
					"objective_status": "In Progress",
				}
			],
			"pupil_agreed_on": start,
			"parent_agreed_on": start,
			"school_agreed_on": start,
			"provider_agreed_on": start,
		}
	)
	plan.insert()
	for action in ("Propose", "Agree"):
		plan = apply_workflow(plan, action)
	review_date = min(last, start + timedelta(days=40))
	frappe.get_doc(
		{
			"doctype": "Plan Review",
			"placement": placement.name,
			"pupil_plan": plan.name,
			"review_date": review_date,
			"decision": "Continue",
			"pupil_voice": "I like the workshop days.",
			"parent_voice": "Much calmer at home.",
			"provider_input": "Settling well.",
			"attendees": [
				{"attendee_name": "Pupil", "attendee_role": "Pupil"},
				{"attendee_name": "Parent", "attendee_role": "Parent/Carer"},
			],
		}
	).submit()
	frappe.get_doc(
		{
			"doctype": "Contact Log",
			"placement": placement.name,
			"contact_type": rng.choice(["Announced Visit", "Unannounced Visit"]),
			"contact_datetime": now_datetime() - timedelta(days=rng.randint(1, 20)),
			"with_whom": "Key worker",
			"summary": "Observed a maths session; pupil engaged.",
			"work_seen": "Maths workbook",
		}
	).insert()
	frappe.get_doc(
		{
			"doctype": "Risk Assessment",
			"placement": placement.name,
			"assessment_date": start,
			"review_date": add_days(start, 42),
			"overall_rating": "Medium",
			"travel_risk": 1,
			"mitigations": "Taxi with a known driver; arrival call.",
		}
	).insert()


# ---- national scale ----------------------------------------------------------------------------------
def make_scale(count: int, seed: int = 7) -> int:
	"""Add `count` Active placements (pupils, timetables, a week of attendance) with bulk inserts.

	Rows bypass the controllers for speed, but are built to satisfy the same rules. Idempotent by name:
	the k-th scaled pupil is always SCALE-PUP-k."""
	rng = random.Random(seed)
	schools = [s[0] for s in SCHOOLS]
	providers = [p[0] for p in PROVIDERS if p[4] == "Approved"]
	have = frappe.db.count("Pupil", {"name": ("like", "SCALE-PUP-%")})
	now, user = now_datetime(), frappe.session.user
	start = getdate(add_days(today(), -28))
	base = {"creation": now, "modified": now, "owner": user, "modified_by": user, "docstatus": 0}
	batch = 2000
	for lo in range(have, count, batch):
		hi = min(count, lo + batch)
		pupils, welfare, placements, sessions, marks = [], [], [], [], []
		for k in range(lo, hi):
			pupil, placement, school = f"SCALE-PUP-{k:06d}", f"SCALE-PLC-{k:06d}", schools[k % len(schools)]
			provider = providers[k % len(providers)]
			pupils.append(
				{
					**base,
					"name": pupil,
					"first_name": rng.choice(FIRST),
					"last_name": rng.choice(LAST),
					"full_name": "Scale Pupil",
					"date_of_birth": add_days(today(), -365 * 13),
					"school": school,
					"on_roll": 1,
				}
			)
			welfare.append(
				{
					**base,
					"name": pupil,
					"pupil": pupil,
					"pupil_name": "Scale Pupil",
					"date_of_birth": add_days(today(), -365 * 13),
					"school": school,
					"sen_status": "N",
				}
			)
			placements.append(
				{
					**base,
					"name": placement,
					"pupil": pupil,
					"pupil_name": "Scale Pupil",
					"school": school,
					"provider": provider,
					"status": "Active",
					"placement_type": "Off-site Direction",
					"home_school_code": "B",
					"start_date": start,
					"planned_end_date": add_days(start, 180),
					"hours_per_week": 30,
					"is_part_time": 0,
					"rationale": "Scaled demo placement",
					"next_review_date": add_days(start, 42),
					"census_reason": "BEH",
					"census_attendance_pattern": "FT",
					"census_sessions": 10,
				}
			)
			for idx, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], 1):
				sessions.append(
					{
						**base,
						"name": f"{placement}-S{idx}",
						"parent": placement,
						"parenttype": "Placement",
						"parentfield": "timetable",
						"idx": idx,
						"weekday": day,
						"start_time": "09:00:00",
						"end_time": "15:00:00",
						"covers_am": 1,  # as rules.timetable.covers finds for a full school day
						"covers_pm": 1,
					}
				)
			for offset in range(7):
				day = getdate(add_days(today(), -offset - 1))
				if day.weekday() < 5:
					for session in ("AM", "PM"):
						mark = attendance_rules.present_mark(session) if rng.random() < 0.88 else "O"
						marks.append(
							{
								**base,
								"name": f"{placement}-{day}-{session}",
								"placement": placement,
								"pupil": pupil,
								"pupil_name": "Scale Pupil",
								"school": school,
								"provider": provider,
								"attendance_date": day,
								"session": session,
								"mark": mark,
								"reported_by": user,
								"reported_at": now,
								"reported_late": 0,
							}
						)
		for doctype, rows in (
			("Pupil", pupils),
			("Pupil Welfare", welfare),
			("Placement", placements),
			("Placement Session", sessions),
			("AP Attendance", marks),
		):
			fields = list(rows[0])
			frappe.db.bulk_insert(
				doctype, fields, [[r[f] for f in fields] for r in rows], ignore_duplicates=True
			)
		frappe.db.commit()
	return max(count - have, 0)

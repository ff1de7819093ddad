"""A small, committed test world: two schools, three providers, users for every role, placements.

Every name carries a run token, so the world never collides with demo data or another run, and
destroy() removes exactly what build() made.
"""

from __future__ import annotations

import uuid

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, today
from frappe.utils.password import update_password

from ap_framework.placement import welfare
from ap_framework.rules.upn import with_check_letter
from ap_framework.scope import SCOPE_FIELDS

CHILD_TABLES = {
	"Placement": ["Placement Session"],
	"Pupil": ["Pupil Contact"],
	"AP Provider": ["AP Provider Contact"],
	"QA Audit": ["QA Audit Item", "QA Audit Action"],
	"Domain Assessment": ["Domain Assessment Score"],
	"Pupil Plan": ["Plan Objective"],
	"Plan Review": ["Plan Review Attendee", "Plan Review Progress"],
	"Reintegration Plan": ["Reintegration Stage"],
	# the learner profile that travels
	"Learner Profile": ["Learner Profile Narrative", "Learner Profile Attachment"],
	"Profile Transfer": ["Transfer Section"],
	"Transfer Partner": ["Transfer Section"],
	"Incoming Profile": ["Incoming Domain Score"],
}
PATH = {
	"Draft": [],
	"Pending Approval": ["Submit for Approval"],
	"Approved": ["Submit for Approval", "Approve"],
	"Active": ["Submit for Approval", "Approve", "Start"],
	"Ended": ["Submit for Approval", "Approve", "Start", "End"],
	"Rejected": ["Submit for Approval", "Reject"],
	"Cancelled": ["Cancel"],
}
WEEK = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


class World:
	def __init__(self, password: str):
		self.token = uuid.uuid4().hex[:6].upper()
		self.password = password
		self.users: dict[str, str] = {}
		self.serial = 0
		self.schools: list[str] = []
		self.providers: list[str] = []

	# ---- names ------------------------------------------------------------------------------------
	def name(self, label: str) -> str:
		return f"T{self.token} {label}"

	def next_upn(self) -> str:
		self.serial += 1
		# LA 801, establishment from the token (digits only), year 25, a serial: a valid, unique UPN
		establishment = int(self.token, 16) % 10000
		return with_check_letter(f"801{establishment:04d}25{self.serial:03d}")

	# ---- build ------------------------------------------------------------------------------------
	def build(self):
		frappe.set_user("Administrator")
		self.school_a = self.school(
			"School A", "1" + self.token[:5].translate(str.maketrans("ABCDEF", "123456"))
		)
		self.school_b = self.school(
			"School B", "2" + self.token[:5].translate(str.maketrans("ABCDEF", "123456"))
		)
		self.p1 = self.provider("Provider One", "PRU", urn=f"159{self.serial_num(3):03d}", approved=True)
		self.p2 = self.provider(
			"Provider Two", "Non-school AP", ukprn=f"1{self.serial_num(7):07d}", approved=True
		)
		self.p3 = self.provider("Provider Three", "Non-school AP", approved=False)
		roles = {
			"admin": (["AP Administrator"], {}),
			"ap_lead_a": (["AP Lead"], {"School": self.school_a}),
			"ap_lead_b": (["AP Lead"], {"School": self.school_b}),
			"dsl_a": (["Safeguarding Lead"], {"School": self.school_a}),
			"dsl_b": (["Safeguarding Lead"], {"School": self.school_b}),
			"senior_a": (["Senior Leader"], {"School": self.school_a}),
			"governor_a": (["Governor"], {"School": self.school_a}),
			"qa": (["QA Officer"], {}),
			"provider_1": (["AP Provider User"], {"AP Provider": self.p1}),
			"provider_2": (["AP Provider User"], {"AP Provider": self.p2}),
			"lead_no_scope": (["AP Lead"], {}),
			"provider_no_scope": (["AP Provider User"], {}),
		}
		for key, (role_list, scope) in roles.items():
			self.users[key] = self.user(key, role_list, scope)
		# pupil A1 carries sensitive flags, so the permlevel tests can see them hidden or shown
		self.pupil_a1 = self.pupil(self.school_a, looked_after=1, sen_status="K")
		self.pupil_a2 = self.pupil(self.school_a)
		self.pupil_b1, self.pupil_b2 = self.pupil(self.school_b), self.pupil(self.school_b)
		self.pa1 = self.placement(self.pupil_a1, self.p1, "Active").name
		self.pa2 = self.placement(self.pupil_a2, self.p2, "Active").name
		self.pb1 = self.placement(self.pupil_b1, self.p1, "Active").name
		self.pb2 = self.placement(self.pupil_b2, self.p2, "Active").name

	def serial_num(self, digits: int) -> int:
		return int(self.token, 16) % (10**digits)

	def school(self, label, urn):
		doc = {"doctype": "School", "school_name": self.name(label), "urn": urn, "la_code": "801"}
		self.schools.append(frappe.get_doc(doc).insert().name)
		return self.schools[-1]

	def provider(self, label, status, urn=None, ukprn=None, approved=True):
		doc = {
			"doctype": "AP Provider",
			"provider_name": self.name(label),
			"registration_status": status,
			"urn": urn,
			"ukprn": ukprn,
		}
		name = frappe.get_doc(doc).insert().name
		self.providers.append(name)
		if approved:
			frappe.get_doc(
				{
					"doctype": "Safeguarding Assurance",
					"provider": name,
					"received_date": add_days(today(), -10),
					"valid_until": add_days(today(), 355),
					"signed_by": "Manager",
				}
			).insert()
			if status == "Non-school AP":
				self.policies(name)
			self.audit(name, "Approved")
		return name

	def policies(self, provider, types=None, dated_on=None, review_date=None):
		"""The required policies of a non-school provider (rules/policies.py), current today by default."""
		from ap_framework.rules.policies import REQUIRED_POLICIES

		return [
			frappe.get_doc(
				{
					"doctype": "Provider Policy",
					"provider": provider,
					"policy_type": policy_type,
					"policy_file": "https://example.org/policies/policy.pdf",
					"dated_on": dated_on or add_days(today(), -30),
					"review_date": review_date or add_days(today(), 335),
				}
			)
			.insert()
			.name
			for policy_type in types or REQUIRED_POLICIES
		]

	def audit(self, provider, outcome, rating="Met"):
		standard = frappe.get_all("QA Standard", limit=1, pluck="name")[0]
		doc = frappe.get_doc(
			{
				"doctype": "QA Audit",
				"provider": provider,
				"audit_type": "Initial",
				"audit_date": today(),
				"overall_outcome": outcome,
				"items": [{"standard": standard, "rating": rating}],
				"actions": []
				if rating == "Met"
				else [{"action": "Fix it", "due_date": add_days(today(), 10)}],
			}
		).insert()
		for action in ("Submit for Review", "Approve"):
			doc = apply_workflow(doc, action)
		return doc

	def user(self, key, roles, scope):
		email = f"{key.replace('_', '-')}-{self.token.lower()}@ap-test.example.com"
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": key,
				"send_welcome_email": 0,
				"roles": [{"role": r} for r in roles],
			}
		)
		# Frappe throttles user sign-ups to 60 an hour; repeated runs on one site would trip it. This
		# raises the limit for this test process only (frappe.local.conf is per process).
		frappe.local.conf.throttle_user_limit = 10**6
		user.insert(ignore_permissions=True)
		update_password(email, self.password)
		for allow, value in scope.items():
			frappe.get_doc(
				{
					"doctype": "User Permission",
					"user": email,
					"allow": allow,
					"for_value": value,
					"apply_to_all_doctypes": 1,
				}
			).insert(ignore_permissions=True)
		return email

	def pupil(self, school, **kw):
		"""A pupil; special-category facts among `kw` (looked_after=1, sen_status="K") go to its welfare
		record, as a Safeguarding Lead would record them."""
		facts = {k: kw.pop(k) for k in list(kw) if k in welfare.FACTS}
		doc = {
			"doctype": "Pupil",
			"first_name": "Test",
			"last_name": f"Pupil {self.serial + 1}",
			"school": school,
			"date_of_birth": add_days(today(), -365 * 13),
			"upn": self.next_upn(),
			"year_group": "Year 9",
		}
		doc.update(kw)
		doc = frappe.get_doc(doc)
		doc.flags.welfare = facts
		return doc.insert().name

	def placement_doc(self, pupil, provider, days=WEEK, start=None, **kw):
		start = start or add_days(today(), -30)
		doc = {
			"doctype": "Placement",
			"pupil": pupil,
			"provider": provider,
			"placement_type": "Off-site Direction",
			"start_date": start,
			"planned_end_date": add_days(start, 120),
			"rationale": "Smaller setting suits the pupil",
			"census_reason": "BEH",
			"timetable": [{"weekday": d, "start_time": "09:00:00", "end_time": "15:00:00"} for d in days],
		}
		if len(days) < 5:
			doc.update(
				{"part_time_justification": "Phased start", "part_time_review_date": add_days(start, 28)}
			)
		doc.update(kw)
		return frappe.get_doc(doc)

	def placement(self, pupil, provider, state="Draft", **kw):
		doc = self.placement_doc(pupil, provider, **kw).insert()
		return self.advance(doc, state)

	@staticmethod
	def advance(doc, state):
		for action in PATH[state]:
			if action == "End":
				doc.end_date, doc.end_outcome = today(), "Reintegrated to Home School"
				doc.save()  # workflow actions act on the saved document
			doc = apply_workflow(doc, action)
		return doc

	# ---- destroy ----------------------------------------------------------------------------------
	def destroy(self):
		self.remove(list(self.schools), list(self.providers), list(self.users))

	def remove(self, schools=(), providers=(), user_keys=()):
		"""Delete these schools and providers with every row that names one, and these users: for a test
		that had to commit a part of the world of its own, so later tests do not find it."""
		schools, providers = list(schools), list(providers)
		for doctype, (school_field, provider_field) in SCOPE_FIELDS.items():
			if school_field and school_field != "name" and schools:
				self._delete(doctype, {school_field: ("in", schools)})
			if provider_field and provider_field != "name" and providers:
				self._delete(doctype, {provider_field: ("in", providers)})
		if schools:
			self._delete("School", {"name": ("in", schools)})
		if providers:
			self._delete("AP Provider", {"name": ("in", providers)})
		self.schools = [s for s in self.schools if s not in schools]
		self.providers = [p for p in self.providers if p not in providers]
		users = [self.users.pop(k) for k in list(user_keys)]
		if not users:
			return
		for name in frappe.get_all("File", filters={"owner": ("in", users)}, pluck="name"):
			frappe.delete_doc("File", name, force=True, ignore_permissions=True)  # removes it from disk too
		frappe.db.delete("Notification Log", {"for_user": ("in", users)})
		frappe.db.delete("ToDo", {"allocated_to": ("in", users)})
		frappe.db.delete("User Permission", {"user": ("in", users)})
		for user in users:
			frappe.delete_doc("User", user, force=True, ignore_permissions=True)

	@staticmethod
	def _delete(doctype, filters):
		names = frappe.get_all(doctype, filters=filters, pluck="name")
		if not names:
			return
		for child in CHILD_TABLES.get(doctype, []):
			frappe.db.delete(child, {"parent": ("in", names), "parenttype": doctype})
		frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", names)})
		frappe.db.delete(doctype, {"name": ("in", names)})

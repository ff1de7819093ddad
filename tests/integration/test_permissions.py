"""Row-level isolation in-process: frappe.get_list, frappe.has_permission, permlevels, deny by default."""

import frappe
import pytest
from frappe.utils import add_days, today

PUPIL_DOCTYPES = ["Pupil", "Placement", "AP Attendance"]


def as_user(world, key):
	frappe.set_user(world.users[key])


def names(doctype, **kw):
	return set(frappe.get_list(doctype, pluck="name", limit_page_length=0, **kw))


@pytest.fixture
def marks(world):
	"""One attendance mark for each world placement (rolled back after the test)."""
	for placement in (world.pa1, world.pa2, world.pb1, world.pb2):
		frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": placement,
				"attendance_date": add_days(today(), -1),
				"session": "PM",
				"mark": "\\",
			}
		).insert()


class TestSchoolScope:
	def test_school_a_lead_lists_only_school_a(self, world, marks):
		as_user(world, "ap_lead_a")
		assert names("Placement") == {world.pa1, world.pa2}
		assert names("Pupil") >= {world.pupil_a1, world.pupil_a2}
		assert not names("Pupil") & {world.pupil_b1, world.pupil_b2}
		assert {r.school for r in frappe.get_list("AP Attendance", fields=["school"])} == {world.school_a}
		assert names("School") == {world.school_a}

	def test_school_a_lead_is_refused_school_b_documents(self, world):
		as_user(world, "ap_lead_a")
		for doctype, name in (
			("Placement", world.pb1),
			("Pupil", world.pupil_b1),
			("School", world.school_b),
		):
			assert not frappe.has_permission(doctype, "read", doc=name), doctype
			with pytest.raises(frappe.PermissionError):
				frappe.get_doc(doctype, name).check_permission("read")
		assert frappe.has_permission("Placement", "read", doc=world.pa1)

	def test_cannot_create_a_record_for_another_school(self, world):
		pupil_b = world.pupil(world.school_b)
		as_user(world, "ap_lead_a")
		# Frappe defaults the school link to the user's own school (from their User Permission) before
		# it fetches the pupil's: the check must judge by the pupil, not by that default.
		doc = world.placement_doc(pupil_b, world.p3, census_setting_type="OTH")
		with pytest.raises(frappe.PermissionError):
			doc.insert()

	def test_lead_without_a_school_sees_nothing(self, world):
		as_user(world, "lead_no_scope")
		for doctype in PUPIL_DOCTYPES:
			assert names(doctype) == set(), doctype
		assert not frappe.has_permission("Placement", "read", doc=world.pa1)

	def test_administrator_role_sees_every_school(self, world):
		as_user(world, "admin")
		assert {world.pa1, world.pb1} <= names("Placement")


class TestProviderScope:
	def test_provider_user_sees_only_their_placements(self, world, marks):
		as_user(world, "provider_1")
		assert names("Placement", filters={"school": ("in", [world.school_a, world.school_b])}) == {
			world.pa1,
			world.pb1,
		}
		assert {r.provider for r in frappe.get_list("AP Attendance", fields=["provider"])} == {world.p1}
		assert names("AP Provider") == {world.p1}
		assert not frappe.has_permission("Placement", "read", doc=world.pa2)
		assert not frappe.has_permission("AP Provider", "read", doc=world.p2)

	def test_provider_user_reads_no_pupil_records(self, world):
		as_user(world, "provider_1")
		assert not frappe.has_permission("Pupil", "read")
		assert not frappe.has_permission("Risk Assessment", "read")

	def test_provider_user_without_a_provider_sees_nothing(self, world):
		as_user(world, "provider_no_scope")
		assert names("Placement") == set() and names("AP Provider") == set()

	def test_provider_cannot_mark_another_providers_pupil(self, world):
		as_user(world, "provider_1")
		doc = frappe.get_doc(
			{
				"doctype": "AP Attendance",
				"placement": world.pa2,
				"attendance_date": add_days(today(), -1),
				"session": "AM",
				"mark": "/",
			}
		)
		with pytest.raises(frappe.PermissionError):
			doc.insert()


class TestSensitiveFields:
	def test_ap_lead_cannot_read_safeguarding_and_sen_facts(self, world):
		as_user(world, "ap_lead_a")
		assert not frappe.has_permission("Pupil Welfare", "read")
		with pytest.raises(frappe.PermissionError):
			frappe.get_doc("Pupil Welfare", world.pupil_a1).check_permission("read")
		as_user(world, "dsl_a")
		frappe.get_doc("Pupil Welfare", world.pupil_a1).check_permission("read")

	def test_ap_lead_cannot_write_looked_after_flag(self, world):
		as_user(world, "ap_lead_a")
		doc = frappe.get_doc("Pupil Welfare", world.pupil_a1)
		doc.looked_after = 0
		with pytest.raises(frappe.PermissionError):
			doc.save()
		assert frappe.db.get_value("Pupil Welfare", world.pupil_a1, "looked_after") == 1

	def test_governor_reads_no_pupil_data(self, world):
		as_user(world, "governor_a")
		for doctype in (
			"Pupil",
			"Placement",
			"AP Attendance",
			"Contact Log",
			"Domain Assessment",
			"Risk Assessment",
		):
			assert not frappe.has_permission(doctype, "read"), doctype
		assert frappe.has_permission("AP Provider", "read")

	def test_every_pupil_doctype_is_scoped(self, world):
		"""A school-B placement's records, made as Administrator, are invisible to school A's lead."""
		frappe.get_doc(
			{"doctype": "Contact Log", "placement": world.pb1, "contact_type": "Phone", "summary": "Call"}
		).insert()
		frappe.get_doc(
			{
				"doctype": "Risk Assessment",
				"placement": world.pb1,
				"assessment_date": today(),
				"review_date": add_days(today(), 30),
				"overall_rating": "Low",
			}
		).insert()
		as_user(world, "ap_lead_a")
		for doctype in ("Contact Log", "Risk Assessment"):
			assert {r.school for r in frappe.get_list(doctype, fields=["school"])} <= {world.school_a}, (
				doctype
			)

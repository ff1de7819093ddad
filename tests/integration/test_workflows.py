"""Every workflow transition: done by the roles it names, refused for every other role."""

import frappe
import pytest
from frappe.model.workflow import WorkflowPermissionError, apply_workflow
from frappe.utils import add_days, today

ROLE_USERS = {
	"AP Administrator": "admin",
	"AP Lead": "ap_lead_a",
	"Safeguarding Lead": "dsl_a",
	"Senior Leader": "senior_a",
	"Governor": "governor_a",
	"QA Officer": "qa",
	"AP Provider User": "provider_1",
}


def transitions(workflow):
	"""(state, action, roles allowed) for every transition of a shipped workflow."""
	import json
	from pathlib import Path

	fixtures = json.loads(
		(Path(__file__).parents[2] / "ap_framework" / "fixtures" / "workflow.json").read_text()
	)
	wf = next(w for w in fixtures if w["name"] == workflow)
	out = {}
	for t in wf["transitions"]:
		out.setdefault((t["state"], t["action"]), set()).add(t["allowed"])
	return sorted((s, a, roles) for (s, a), roles in out.items())


def attempt(world, doc, action, role):
	frappe.set_user(world.users[ROLE_USERS[role]])
	try:
		return apply_workflow(frappe.get_doc(doc.doctype, doc.name), action)
	finally:
		frappe.set_user("Administrator")


REFUSED = (frappe.ValidationError, frappe.PermissionError)  # WorkflowTransitionError is a ValidationError


@pytest.mark.parametrize("state,action,allowed", transitions("Placement Approval"))
@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_placement_transition(world, state, action, allowed, role):
	doc = world.placement(world.pupil(world.school_a), world.p1, state)
	if action == "End":
		doc.end_date, doc.end_outcome = today(), "Reintegrated to Home School"
		doc.db_update()
	if role in allowed:
		done = attempt(world, doc, action, role)
		assert done.status != state
	else:
		with pytest.raises(REFUSED):
			attempt(world, doc, action, role)
		assert frappe.db.get_value("Placement", doc.name, "status") == state


def test_nobody_approves_their_own_placement(world):
	"""Approve is the one transition without self-approval: the drafter cannot also approve."""
	frappe.set_user(world.users["admin"])
	doc = world.placement_doc(world.pupil(world.school_a), world.p1).insert()
	doc = apply_workflow(doc, "Submit for Approval")
	with pytest.raises(frappe.ValidationError, match="Self approval"):
		apply_workflow(doc, "Approve")


def test_state_cannot_be_set_directly(world):
	doc = world.placement(world.pupil(world.school_a), world.p1, "Draft")
	frappe.set_user(world.users["ap_lead_a"])
	doc = frappe.get_doc("Placement", doc.name)
	doc.status = "Active"
	with pytest.raises(WorkflowPermissionError):
		doc.save()


def make_audit(world):
	standard = frappe.get_all("QA Standard", pluck="name", limit=1)[0]
	return frappe.get_doc(
		{
			"doctype": "QA Audit",
			"provider": world.p3,
			"audit_type": "Annual",
			"audit_date": today(),
			"overall_outcome": "Under Review",
			"items": [{"standard": standard, "rating": "Met"}],
		}
	).insert()


AUDIT_PATH = {
	"Draft": [],
	"Pending Review": ["Submit for Review"],
	"Approved": ["Submit for Review", "Approve"],
}


@pytest.mark.parametrize("state,action,allowed", transitions("QA Audit Approval"))
@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_qa_audit_transition(world, state, action, allowed, role):
	doc = make_audit(world)
	for step in AUDIT_PATH[state]:
		doc = apply_workflow(doc, step)
	if role in allowed:
		done = attempt(world, doc, action, role)
		assert done.status != state
		if action == "Approve":
			assert (
				done.docstatus == 1
				and frappe.db.get_value("AP Provider", world.p3, "last_qa_audit") == done.name
			)
	else:
		with pytest.raises(REFUSED):
			attempt(world, doc, action, role)


def make_plan(world):
	return frappe.get_doc(
		{
			"doctype": "Pupil Plan",
			"placement": world.pa1,
			"plan_start": today(),
			"objectives": [{"objective": "Calm", "success_criteria": "Uses plan"}],
			"pupil_agreed_on": today(),
			"parent_agreed_on": today(),
			"school_agreed_on": today(),
			"provider_agreed_on": add_days(today(), -1),
		}
	).insert()


PLAN_PATH = {"Draft": [], "Pending Agreement": ["Propose"], "Agreed": ["Propose", "Agree"]}


@pytest.mark.parametrize("state,action,allowed", transitions("Pupil Plan Agreement"))
@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_pupil_plan_transition(world, state, action, allowed, role):
	doc = make_plan(world)
	for step in PLAN_PATH[state]:
		doc = apply_workflow(doc, step)
	if role in allowed:
		assert attempt(world, doc, action, role).status != state
	else:
		with pytest.raises(REFUSED):
			attempt(world, doc, action, role)

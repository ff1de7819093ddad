"""The composite indexes the oversight queries read at LA scale are made by each DocType's
on_doctype_update, which a migrate runs only for a DocType whose definition changed: make them now on
sites that had these DocTypes before the indexes (each add_index is a no-op where the index exists)."""

from importlib import import_module

CONTROLLERS = (
	"ap_framework.placement.doctype.ap_attendance.ap_attendance",
	"ap_framework.placement.doctype.placement.placement",
	"ap_framework.placement.doctype.placement_session.placement_session",
	"ap_framework.placement.doctype.risk_assessment.risk_assessment",
	"ap_framework.development.doctype.pupil_plan.pupil_plan",
	"ap_framework.development.doctype.domain_assessment.domain_assessment",
	"ap_framework.oversight.doctype.contact_log.contact_log",
)


def execute():
	for path in CONTROLLERS:
		import_module(path).on_doctype_update()

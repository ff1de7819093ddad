"""ap_framework hooks: a table of contents. Each entry points into the module that owns it."""

from ap_framework.rules.access import AUDITED as _AUDITED  # "_": not hooks themselves
from ap_framework.rules.homes import role_home_pages as _role_home_pages
from ap_framework.scope import SCOPE_FIELDS as _SCOPE_FIELDS

app_name = "ap_framework"
app_title = "AP Framework"
app_publisher = "ap_framework developers"
app_description = "Alternative Provision oversight for local authorities, trusts and schools in England"
app_email = "ap-framework@example.org"
app_license = "MIT"
required_apps = ["frappe"]

# Whitelisted methods must declare their argument types (checked by Frappe on every call).
require_type_annotated_api_methods = True

# ---- install / uninstall ------------------------------------------------------------------------
after_install = "ap_framework.setup.install.after_install"
after_migrate = "ap_framework.setup.install.after_migrate"
before_uninstall = "ap_framework.setup.install.before_uninstall"

# ---- fixtures: roles, the development framework, QA standards and the workflows ------------------
fixtures = [
	{
		"dt": "Role",
		"filters": [
			[
				"name",
				"in",
				[
					"AP Administrator",
					"AP Lead",
					"Safeguarding Lead",
					"Senior Leader",
					"Governor",
					"QA Officer",
					"AP Provider User",
				],
			]
		],
	},
	{
		"dt": "Workflow State",
		"filters": [
			[
				"name",
				"in",
				[
					"Draft",
					"Pending Approval",
					"Approved",
					"Active",
					"Ended",
					"Rejected",
					"Cancelled",
					"Pending Review",
					"Pending Agreement",
					"Agreed",
					"Closed",
				],
			]
		],
	},
	{
		"dt": "Workflow Action Master",
		"filters": [
			[
				"name",
				"in",
				[
					"Submit for Approval",
					"Approve",
					"Reject",
					"Return to Draft",
					"Start",
					"End",
					"Cancel",
					"Revise",
					"Submit for Review",
					"Propose",
					"Agree",
					"Close",
				],
			]
		],
	},
	{
		"dt": "Workflow",
		"filters": [["name", "in", ["Placement Approval", "QA Audit Approval", "Pupil Plan Agreement"]]],
	},
	{"dt": "QA Standard"},
	{"dt": "Development Domain"},
]

# ---- row-level scoping: ap_framework/permissions.py ---------------------------------------------
permission_query_conditions = {dt: "ap_framework.permissions.query_conditions" for dt in _SCOPE_FIELDS}
has_permission = {dt: "ap_framework.permissions.has_permission" for dt in _SCOPE_FIELDS}
# transfer: a safeguarding-channel record (and an alert about one) is for Safeguarding Leads only, on
# top of the school scope
_TRANSFER_ACCESS = ("Profile Transfer", "Incoming Profile", "AP Alert")
permission_query_conditions.update(
	{dt: "ap_framework.transfer.access.query_conditions" for dt in _TRANSFER_ACCESS}
)
has_permission.update({dt: "ap_framework.transfer.access.has_permission" for dt in _TRANSFER_ACCESS})
# retention reviews: AP Administrators, and a Safeguarding Lead for their school's safeguarding and SEN records
permission_query_conditions["Retention Review"] = "ap_framework.oversight.retention.query_conditions"
has_permission["Retention Review"] = "ap_framework.oversight.retention.has_permission"
# access audit: the safeguarding records' hooks take the same decisions as above and note each read for
# the Safeguarding Access Log (ap_framework/oversight/access_audit.py). They must stay the only hook of
# these DocTypes: Frappe lets the last hook decide (v15) or stops at the first denial (v16), so a
# second, recording-only hook could neither see the decision nor stay out of it.
permission_query_conditions.update(
	{dt: "ap_framework.oversight.access_audit.query_conditions" for dt in sorted(_AUDITED)}
)
has_permission.update({dt: "ap_framework.oversight.access_audit.has_permission" for dt in sorted(_AUDITED)})
# ...and writes them when the request ends, after Frappe has committed or rolled back its own work
after_request = ["ap_framework.oversight.access_audit.after_request"]

# ---- documents of other apps ----------------------------------------------------------------------
# A workflow action clicked twice happens once (ap_framework/once.py); other DocTypes' go to Frappe's own.
override_whitelisted_methods = {"frappe.model.workflow.apply_workflow": "ap_framework.once.apply_workflow"}

doc_events = {
	"User Permission": {"validate": "ap_framework.portal.users.one_provider_per_user"},
	# a review held answers its reminders: ap_framework/oversight/alerts.py
	"Plan Review": {"on_submit": "ap_framework.oversight.alerts.close_review_todos"},
	# each role's desk home is the user's default workspace (Frappe v15 lands there after login)
	"User": {"validate": "ap_framework.oversight.homes.set_default_workspace"},
	# an AP Administrator imports the LA's spreadsheets into the templates' DocTypes only (refused before
	# Frappe's own checks, so the refusal names the Document Type whatever it is), and a spreadsheet into
	# this app's DocTypes is bounded in bytes and records (ap_framework/rules/spreadsheet.py)
	"Data Import": {
		"before_validate": "ap_framework.setup.data_import.before_validate",
		"validate": "ap_framework.setup.data_import.validate",
	},
}
# ...and sees no System Manager's import of anything else (its file and log included)
permission_query_conditions["Data Import"] = "ap_framework.setup.data_import.query_conditions"
has_permission["Data Import"] = "ap_framework.setup.data_import.has_permission"
permission_query_conditions["Data Import Log"] = "ap_framework.setup.data_import.log_query_conditions"
has_permission["Data Import Log"] = "ap_framework.setup.data_import.log_has_permission"
# access audit: a desk form loaded, a print or PDF made (Administrator's too, whom no permission hook sees)
doc_events.update(
	{
		dt: {
			"onload": "ap_framework.oversight.access_audit.on_load",
			"before_print": "ap_framework.oversight.access_audit.before_print",
		}
		for dt in sorted(_AUDITED)
	}
)
# what each placement's records show, kept for the readiness board: ap_framework/oversight/placement_evidence.py
for _dt in (
	"Risk Assessment",
	"Pupil Plan",
	"Reintegration Plan",
	"Contact Log",
	"Domain Assessment",
	"Plan Review",
):
	doc_events.setdefault(_dt, {}).update(
		{
			"on_change": "ap_framework.oversight.placement_evidence.keep_in_step",
			"after_delete": "ap_framework.oversight.placement_evidence.keep_in_step",
		}
	)
# ---- paying for AP through ERPNext: ap_framework/finance/ (each handler does nothing without ERPNext) ----
doc_events.update(
	{
		"AP Provider": {"on_update": "ap_framework.finance.suppliers.on_provider_update"},
		"Placement": {
			"on_update": "ap_framework.finance.commissioning.on_placement_update",
			# the day's registers due follow its status, start date and timetable
			"on_change": "ap_framework.placement.registers_due.on_placement_change",
			"after_delete": "ap_framework.placement.registers_due.on_placement_change",
		},
		"Purchase Invoice": {
			"before_validate": "ap_framework.finance.invoices.before_validate",
			"validate": "ap_framework.finance.invoices.validate",
			"on_change": "ap_framework.finance.invoices.on_change",
		},
	}
)
# ERPNext installed or removed after this app: add or remove the fields the integration needs
after_app_install = "ap_framework.finance.setup.after_app_install"
before_app_uninstall = "ap_framework.finance.setup.before_app_uninstall"

# ---- provider web portal: ap_framework/portal/ and the pages in www/ap/ --------------------------
standard_portal_menu_items = [
	{"title": "AP Provider Portal", "route": "/ap", "role": "AP Provider User"},
]
# ---- where each role lands: its home in the desk (ap_framework/rules/homes.py), the portal for providers ----
role_home_page = {**_role_home_pages(), "AP Provider User": "ap"}
# the desk's boot carries the user's own school: the reports' School filter opens on it
boot_session = "ap_framework.oversight.homes.boot_session"

# ---- scheduled jobs: ap_framework/oversight/jobs.py ---------------------------------------------
# Frappe queues "*_long" events on the long queue (1500 s timeout) and everything else, cron included, on
# the default one (Scheduled Job Type.get_queue_name, the same on both lines): the jobs that sweep the
# whole site run as "*_long", so any number of long-queue workers sharing the bench's Redis take them
# from every site's scheduler; the ones that must be on time stay on the default queue.
scheduler_events = {
	# profile transfers: queue again what a lost job left behind; ask partners what became of our sends
	# (one request per partner, each waiting for its answer)
	"hourly_long": ["ap_framework.transfer.follow_up.hourly"],
	# daily at midnight (site time), before the school day
	"daily_long": [
		"ap_framework.placement.attendance_window.rebuild",  # the readiness board's four weeks move on a day
		"ap_framework.oversight.placement_evidence.rebuild",  # catches up on what was written beneath the records
		"ap_framework.placement.registers_due.rebuild",  # the new day's registers, for the outstanding card
		"ap_framework.oversight.jobs.low_attendance",
		"ap_framework.oversight.jobs.reviews",
		"ap_framework.oversight.jobs.providers",
		"ap_framework.oversight.jobs.placements",
		"ap_framework.development.monitoring.check_ins",  # life after reintegration
		"ap_framework.transfer.follow_up.receipts",  # safeguarding shares with no receipt
		"ap_framework.oversight.retention.daily",  # records past retention, for the named reviewer
		"ap_framework.once.forget_old",  # form tokens too old to be submitted again
	],
	"cron": {
		# registers: every 15 minutes through the school day (weekend timetables too), on time
		"*/15 7-18 * * *": ["ap_framework.oversight.jobs.attendance_deadlines"],
		# Monday morning, after the daily jobs: one email per school
		"30 7 * * 1": ["ap_framework.oversight.jobs.weekly_digest"],
	},
}

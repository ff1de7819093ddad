"""Which field of each DocType names the school and the provider a row belongs to.

Plain data (no frappe import), shared by hooks.py, permissions.py and the metadata tests.
"""

# DocType -> (field naming the school, field naming the provider); None where it has none.
SCOPE_FIELDS: dict[str, tuple[str | None, str | None]] = {
	"School": ("name", None),
	"Pupil": ("school", None),
	# special-category facts: readable by the Safeguarding Lead (their school) and the AP Administrator only
	"Pupil Welfare": ("school", None),
	"Safeguarding Concern": ("school", "provider"),
	"Placement": ("school", "provider"),
	"AP Attendance": ("school", "provider"),
	"Risk Assessment": ("school", "provider"),
	"Reintegration Plan": ("school", "provider"),
	"Domain Assessment": ("school", "provider"),
	"Pupil Plan": ("school", "provider"),
	"Plan Review": ("school", "provider"),
	"Review Input": ("school", "provider"),
	"Contact Log": ("school", "provider"),
	"AP Alert": ("school", "provider"),
	"Retention Review": ("school", None),  # and ap_framework/oversight/retention.py: special category
	# transfer (ap_framework/transfer/): pupil data held by the school, no provider access
	"Learner Profile": ("school", None),
	"Profile Transfer": ("school", None),
	"Incoming Profile": ("school", None),
	"Transfer Partner": ("school", None),
	# the access audit of safeguarding records (ap_framework/oversight/access_audit.py): an entry is the
	# school's, read by its Safeguarding Lead (and the LA's AP Administrator)
	"Safeguarding Access Log": ("school", None),
	"AP Provider": (None, "name"),
	"Safeguarding Assurance": (None, "provider"),
	"Provider Policy": (None, "provider"),
	"QA Audit": (None, "provider"),
}

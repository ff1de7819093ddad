"""One ValidationError subclass per family of failure, so callers and tests can name what they expect."""

import frappe


class APValidationError(frappe.ValidationError):
	"""Base for every rule this app enforces."""


class MalformedInputError(APValidationError):
	"""A request to a whitelisted method that cannot be read: not JSON, the wrong shape or type, too
	large (ap_framework/api_input.py). 400, Bad Request: the request itself is wrong, before any rule
	of ours is asked (those answer Frappe's 417)."""

	http_status_code = 400


class DateOrderError(APValidationError): ...


class ChangedMeanwhileError(APValidationError):
	"""Someone else changed the record between this user opening it and acting on it, to something other
	than what this action would have made it (ap_framework/once.py). 409, Conflict: reload and choose."""

	http_status_code = 409


class OutsideWindowError(APValidationError): ...


class UPNError(APValidationError): ...


class IdentifierError(APValidationError): ...


class TimetableError(APValidationError): ...


class TimetableClashError(TimetableError): ...


class PartTimeError(APValidationError): ...


class ApprovalError(APValidationError): ...


class WorkflowRuleError(APValidationError): ...


class CensusError(APValidationError): ...


class AttendanceMarkError(APValidationError): ...


class DomainError(APValidationError): ...


class DomainScoreError(APValidationError): ...


class BaselineError(APValidationError): ...


class PlanError(APValidationError): ...


class ReviewError(APValidationError): ...


class QAError(APValidationError): ...


class ContactError(APValidationError): ...


class RiskError(APValidationError): ...


# ---- transfer (ap_framework/transfer/) ----
class ConsentError(APValidationError): ...


class TransferScopeError(APValidationError): ...


class TransferPayloadError(APValidationError): ...


class CTFError(APValidationError): ...


# ---- the access audit (ap_framework/oversight/access_audit.py) ----
class AccessLogImmutableError(frappe.PermissionError):
	"""Changing or deleting an access audit entry: not bad input but a forbidden act, hence a
	PermissionError (HTTP 403) rather than a ValidationError."""


class AccessReportError(APValidationError): ...


# ---- finance (ap_framework/finance/) ----
class CostingError(APValidationError): ...


class InvoiceCheckError(APValidationError): ...


# ---- retention (ap_framework/oversight/retention.py) ----
class RetentionError(APValidationError): ...


# ---- the home school's register (ap_framework/oversight/home_register.py) ----
class RegisterPeriodError(APValidationError):
	"""The period asked for runs backwards or is longer than a term."""


# ---- GIAS import (ap_framework/placement/gias_import.py) ----
class GIASImportError(APValidationError):
	"""A GIAS file that cannot be imported as a whole: too large, too many rows, not a GIAS file, or an
	import already running."""


# ---- Data Import into this app's DocTypes (ap_framework/setup/data_import.py) ----
class SpreadsheetBoundError(APValidationError):
	"""A spreadsheet for Data Import larger, or with more records, than an import into this app takes."""


class ImportScopeError(APValidationError):
	"""A Data Import into a DocType that only a System Manager may import into."""


BY_KIND = {
	"invalid": APValidationError,
	"malformed": MalformedInputError,
	"date_order": DateOrderError,
	"outside_window": OutsideWindowError,
	"upn": UPNError,
	"identifier": IdentifierError,
	"timetable": TimetableError,
	"timetable_clash": TimetableClashError,
	"part_time": PartTimeError,
	"approval": ApprovalError,
	"workflow_rule": WorkflowRuleError,
	"census": CensusError,
	"attendance_mark": AttendanceMarkError,
	"domain": DomainError,
	"domain_score": DomainScoreError,
	"baseline": BaselineError,
	"plan": PlanError,
	"review": ReviewError,
	"qa": QAError,
	"contact": ContactError,
	"risk": RiskError,
	"consent": ConsentError,
	"transfer_scope": TransferScopeError,
	"transfer_payload": TransferPayloadError,
	"ctf": CTFError,
	"access_report": AccessReportError,
	"costing": CostingError,
	"invoice": InvoiceCheckError,
	"retention": RetentionError,
	"register_period": RegisterPeriodError,
	"gias": GIASImportError,
	"spreadsheet": SpreadsheetBoundError,
	"import_scope": ImportScopeError,
}

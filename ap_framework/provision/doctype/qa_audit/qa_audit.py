import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from ap_framework.rules import dates, qa
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class QAAudit(Document):
	def validate(self):
		throw_problems(
			self,
			dates.not_in_future("audit_date", to_date(self.audit_date), getdate(today()), _("Audit date"))
			+ qa.check_items(self._items()),
		)

	def before_submit(self):
		throw_problems(
			self,
			qa.check_outcome(self._items(), self._actions(), self.overall_outcome, to_date(self.audit_date)),
		)

	def on_submit(self):
		self._set_provider_status(self.overall_outcome, self.name, self.audit_date)

	def on_cancel(self):
		"""Fall back to the provider's latest audit still in force, or to Under Review."""
		latest = frappe.get_all(
			"QA Audit",
			filters={"provider": self.provider, "docstatus": 1, "name": ("!=", self.name)},
			fields=["name", "overall_outcome", "audit_date"],
			order_by="audit_date desc, creation desc",
			limit=1,
		)
		if latest:
			self._set_provider_status(latest[0].overall_outcome, latest[0].name, latest[0].audit_date)
		else:
			self._set_provider_status("Under Review", None, None)

	def _set_provider_status(self, status, audit, audit_date):
		provider = frappe.get_doc("AP Provider", self.provider)
		provider.approval_status = status
		provider.last_qa_audit = audit
		provider.last_qa_date = audit_date
		# The QA workflow already decided who may approve an audit; the provider's status is derived from
		# it, so the approver needs no separate write permission on the provider.
		provider.flags.ignore_permissions = True
		provider.save()

	def _items(self):
		return [qa.Item(r.standard, r.area, r.rating, r.idx) for r in self.items]

	def _actions(self):
		return [qa.Action(r.action, to_date(r.due_date) if r.due_date else None, r.idx) for r in self.actions]

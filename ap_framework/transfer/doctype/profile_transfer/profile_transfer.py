import json
import uuid

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, now_datetime, today

from ap_framework.exceptions import TransferScopeError
from ap_framework.rules import problem, transfer
from ap_framework.rules.profile import age_on
from ap_framework.transfer.access import may_see_safeguarding
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems


class ProfileTransfer(Document):
	"""One send of a learner profile: consent, what was shared, with whom, the frozen snapshot, and
	how delivery went. Nothing leaves before validate() has passed; nothing in it changes afterwards."""

	def validate(self):
		if not self.is_new():
			return  # frozen: nobody holds write permission; only delivery.py records how sending went
		partner = frappe.db.get_value(
			"Transfer Partner",
			self.partner,
			["name", "school", "direction", "is_active", "allow_safeguarding"],
			as_dict=True,
		)
		dob = to_date(frappe.db.get_value("Pupil", self.pupil, "date_of_birth"))
		consent = transfer.Consent(
			self.lawful_basis,
			self.parent_consent,
			self.parent_consent_by,
			to_date(self.parent_consent_date),
			self.pupil_consent,
			age_on(dob, getdate(today())),
			self.channel,
		)
		problems = transfer.check_consent(consent, getdate(today()))
		problems += self._partner_problems(partner)
		throw_problems(self, problems)

	def _partner_problems(self, partner) -> list:
		problems = []
		if not partner or not partner.is_active or not transfer.allows(partner.direction, "send"):
			return [
				problem(
					"partner", _("{0} does not take profiles from us"), self.partner, kind="transfer_scope"
				)
			]
		if partner.school != self.school:
			problems.append(
				problem(
					"partner",
					_("{0} is not a partner of {1}"),
					self.partner,
					self.school,
					kind="transfer_scope",
				)
			)
		if self.channel == "Safeguarding":
			if not may_see_safeguarding():
				frappe.throw(
					_("Only a Safeguarding Lead can send safeguarding information"), frappe.PermissionError
				)
			if not partner.allow_safeguarding:
				problems.append(
					problem(
						"channel",
						_("{0} may not receive safeguarding information"),
						self.partner,
						kind="transfer_scope",
					)
				)
		allowed = transfer.sections_of(
			frappe.get_all(
				"Transfer Section",
				filters={"parent": self.partner, "parenttype": "Transfer Partner"},
				pluck="section",
			)
		)
		problems += transfer.check_sections(self.section_codes(), allowed, self.channel, self.partner)
		return problems

	def section_codes(self) -> list[str]:
		return transfer.sections_of([r.section for r in self.sections])

	def before_save(self):
		"""Freeze, once validate() has passed: the next version of the profile, cut to the sections shared,
		with an idempotency key."""
		if not self.is_new():
			return
		profile = frappe.get_doc("Learner Profile", self.learner_profile)
		profile.check_permission("read")
		# the row lock keeps two sends of one profile from taking the same version number
		last = frappe.db.get_value("Learner Profile", profile.name, "last_version", for_update=True) or 0
		snapshot = profile.snapshot(self.section_codes(), safeguarding=self.channel == "Safeguarding")
		self.version = last + 1
		self.framework_version = snapshot.pop("framework_version")
		self.snapshot = json.dumps(snapshot, indent=1, default=str)
		self.idempotency_key = uuid.uuid4().hex
		self.status = "Queued"

	def after_insert(self):
		# the version counter is the profile's own bookkeeping, not an edit by this user
		frappe.db.set_value(
			"Learner Profile",
			self.learner_profile,
			{"last_version": self.version, "last_shared_on": now_datetime()},
			update_modified=False,
		)
		shared = ", ".join(r.section for r in self.sections)
		frappe.get_doc("Learner Profile", self.learner_profile).add_comment(
			"Info",
			_("Version {0} frozen for {1} ({2} channel): {3}").format(
				self.version, self.partner, _(self.channel), shared
			),
		)

	def on_trash(self):
		if self.status == "Sent":
			frappe.throw(
				_("A profile that was sent is part of the record and cannot be deleted"), TransferScopeError
			)

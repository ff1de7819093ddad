import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder import DocType
from frappe.query_builder.functions import Max
from frappe.utils import add_days, getdate, now_datetime, today

from ap_framework.finance import costing as finance_costing
from ap_framework.placement import welfare
from ap_framework.provision import policies, registration
from ap_framework.rules import census, dates, placement, problem, timetable, upn
from ap_framework.settings import get_settings, session_windows
from ap_framework.utils import to_date
from ap_framework.validation import throw_problems

OVERRIDE_ROLES = ("Senior Leader", "AP Administrator")


class Placement(Document):
	def insert(self, *args, **kwargs):
		# A spreadsheet (Data Import) names the pupil by UPN and the provider by name, URN or UKPRN. Resolve
		# them before Frappe's insert checks create permission (judged by the pupil's school) and links
		# (which fetch the pupil's name and school); no document hook runs that early.
		self._resolve_spreadsheet_keys()
		return super().insert(*args, **kwargs)

	def validate(self):
		settings = get_settings()
		provider = (
			frappe.db.get_value(
				"AP Provider",
				self.provider,
				["urn", "ukprn", "approval_status", "registration_status"],
				as_dict=True,
			)
			or frappe._dict()
		)
		sen_status = welfare.sen_status_for_user(self.pupil)
		slots = self._slots()
		windows = session_windows(settings)
		self._derive(settings, provider, slots, windows)

		start, planned_end, end = (
			to_date(self.start_date),
			to_date(self.planned_end_date),
			to_date(self.end_date),
		)
		problems = placement.check_type(self.placement_type)
		problems += dates.order(
			"start_date", start, "planned_end_date", planned_end, _("Start date"), _("Planned end date")
		)
		problems += dates.order("start_date", start, "end_date", end, _("Start date"), _("End date"))
		problems += timetable.check_slots(slots)
		problems += timetable.check_sessions(slots, windows)
		if start and slots:
			problems += timetable.check_against_other_placements(
				start, end or planned_end, slots, self._other_timetables()
			)
		problems += placement.check_part_time(
			bool(self.is_part_time), self.part_time_justification, to_date(self.part_time_review_date), start
		)
		problems += census.check(self._census_items(sen_status))
		problems += finance_costing.derive(self)  # rate, planned units and cost
		problems += self._override_problems()
		problems += self._transition_problems(provider, start, slots)
		throw_problems(self, problems)

	def on_update(self):
		before = self.get_doc_before_save()
		registration.refresh({self.provider, before.provider if before else None})

	def on_trash(self):
		registration.refresh([self.provider])

	def _resolve_spreadsheet_keys(self):
		problems = []
		if not self.pupil and self.pupil_upn:
			value = upn.normalise(self.pupil_upn)
			problems += upn.check(value, "pupil_upn")
			# scoped to the importing user: a UPN of another school's pupil is not found, and not confirmed
			found = (
				[] if problems else frappe.get_list("Pupil", filters={"upn": value}, pluck="name", limit=2)
			)
			if len(found) == 1:
				self.pupil = found[0]
			elif not problems:
				problems.append(
					problem("pupil_upn", _("No pupil you can see has the UPN {0}"), value, kind="upn")
				)
		if not self.provider and (self.provider_name or "").strip():
			key = self.provider_name.strip()
			found = frappe.get_list(
				"AP Provider",
				or_filters={"name": key, "urn": key, "ukprn": key},
				pluck="name",
				limit=2,
			)
			if len(found) == 1:
				self.provider = found[0]
			else:
				problems.append(
					problem(
						"provider_name",
						_("No provider is named or numbered {0}")
						if not found
						else _("{0} names more than one provider"),
						key,
						kind="identifier",
					)
				)
		throw_problems(self, problems)

	# ---- gather -------------------------------------------------------------------------------------
	def _slots(self) -> list[timetable.Slot]:
		return [
			timetable.Slot(
				r.weekday,
				timetable.to_minutes(r.start_time) or 0,
				timetable.to_minutes(r.end_time) or 0,
				r.idx,
			)
			for r in self.timetable
		]

	def _other_timetables(self) -> list[timetable.DatedTimetable]:
		"""The pupil's other live placements with their sessions, in one query."""
		p, s = DocType("Placement"), DocType("Placement Session")
		rows = (
			frappe.qb.from_(p)
			.join(s)
			.on((s.parent == p.name) & (s.parenttype == "Placement"))
			.select(
				p.name,
				p.start_date,
				p.end_date,
				p.planned_end_date,
				s.weekday,
				s.start_time,
				s.end_time,
				s.idx,
			)
			.where(
				(p.pupil == self.pupil)
				& (p.name != (self.name or ""))
				& p.status.notin(placement.DEAD_STATES)
			)
			.run(as_dict=True)
		)
		by_name: dict[str, list] = {}
		for r in rows:
			by_name.setdefault(r.name, []).append(r)
		return [
			timetable.DatedTimetable(
				name,
				to_date(rs[0].start_date),
				to_date(rs[0].end_date or rs[0].planned_end_date),
				tuple(
					timetable.Slot(
						r.weekday, timetable.to_minutes(r.start_time), timetable.to_minutes(r.end_time), r.idx
					)
					for r in rs
				),
			)
			for name, rs in by_name.items()
		]

	def _latest_assurance(self):
		sa = DocType("Safeguarding Assurance")
		result = frappe.qb.from_(sa).select(Max(sa.valid_until)).where(sa.provider == self.provider).run()
		return to_date(result[0][0]) if result and result[0][0] else None

	def _policies_missing(self, provider, start) -> tuple[str, ...]:
		"""The required provider policies not current when the pupil starts (or today, if that is later)."""
		on = max(start, getdate(today())) if start else getdate(today())
		missing = policies.missing_on({self.provider: provider.get("registration_status")}, on)
		return tuple(missing.get(self.provider, []))

	# ---- derive -------------------------------------------------------------------------------------
	def _derive(self, settings, provider, slots, windows):
		for row, slot in zip(self.timetable, slots, strict=True):
			covered = timetable.covers(slot, windows)
			row.covers_am, row.covers_pm = int("AM" in covered), int("PM" in covered)
		self.hours_per_week = timetable.hours_per_week(slots)
		self.is_part_time = int(
			bool(slots) and timetable.is_part_time(self.hours_per_week, settings.full_time_hours)
		)
		self.home_school_code = placement.home_school_code(self.placement_type)
		# Census identifiers come from the provider: its URN, else its UKPRN, else a setting type.
		self.census_urn = provider.get("urn") or None
		self.census_ukprn = None if self.census_urn else (provider.get("ukprn") or None)
		self.census_attendance_pattern = census.pattern_for(bool(self.is_part_time)) if slots else None
		self.census_sessions = timetable.school_sessions_per_week(
			(r.weekday, r.covers_am, r.covers_pm) for r in self.timetable
		)
		if self.start_date and not self.next_review_date:
			self.next_review_date = add_days(self.start_date, settings.review_interval_days)

	def _census_items(self, sen_status) -> census.CensusItems:
		return census.CensusItems(
			urn=self.census_urn,
			ukprn=self.census_ukprn,
			setting_type=self.census_setting_type or None,
			reason=self.census_reason or None,
			association=self.census_association or None,
			pattern=self.census_attendance_pattern,
			sessions=self.census_sessions,
			single_registered=placement.is_single_registered(self.placement_type),
			sen_status=sen_status,
		)

	# ---- workflow rules -----------------------------------------------------------------------------
	def _override_problems(self):
		changed = bool(self.approval_override_reason) and self.has_value_changed("approval_override_reason")
		may_override = bool(set(frappe.get_roles()) & set(OVERRIDE_ROLES))
		problems = placement.check_override_author(changed, may_override)
		if changed and may_override:
			self.override_by = frappe.session.user
		return problems

	def _transition_problems(self, provider, start, slots):
		if self.is_new() or not self.has_value_changed("status"):
			return []
		if self.status == "Approved":
			facts = placement.ApprovalFacts(
				rationale=self.rationale,
				slot_count=len(slots),
				provider_status=provider.get("approval_status"),
				assurance_valid_until=self._latest_assurance(),
				start=start,
				override_reason=self.approval_override_reason,
				policies_missing=self._policies_missing(provider, start),
			)
			problems = placement.approval_gaps(facts)
			if not problems:
				self.approved_by, self.approved_on = frappe.session.user, now_datetime()
			return problems
		if self.status == "Active":
			return placement.check_activation(getdate(today()), start)
		if self.status == "Ended":
			return placement.check_ending(to_date(self.end_date), self.end_outcome)
		return []


def on_doctype_update():
	# Composite indexes the oversight queries read at LA scale (benchmarks/national_targets.py).
	# the providers in use, from the index alone
	frappe.db.add_index("Placement", ["status", "provider"])
	# a school's live placements
	frappe.db.add_index("Placement", ["status", "school"])
	# the live placements already started (today's registers)
	frappe.db.add_index("Placement", ["status", "start_date"])

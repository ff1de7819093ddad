from frappe import _
from frappe.utils import getdate, now_datetime

from ap_framework.portal import pages, register
from ap_framework.rules import attendance
from ap_framework.settings import session_windows

no_cache = 1
# The marks a provider picks from, in the order staff think of them.
ABSENCE_REASONS = ["I", "M", "N", "O", "C", "E", "G", "R", "S", "T", "J1", "C2", "Y1", "X"]


def get_context(context):
	provider = pages.provider_or_login(context, "/ap/register")
	now = now_datetime()
	on = getdate(pages.arg("date", now.date()))
	# Until the afternoon opens, the register a provider is most likely to be taking is the morning's.
	afternoon = now.hour * 60 + now.minute >= session_windows().pm_start
	session = pages.arg("session", "PM" if afternoon else "AM")
	if session not in attendance.SESSIONS:
		pages.not_found()
	rows = register.expected(provider, on, session)
	marks = register.existing(list(rows), on, session)
	context.title = _("Register")
	context.on, context.session = on, session
	context.present_mark = attendance.present_mark(session)
	context.reasons = [(code, attendance.MARKS[code]) for code in ABSENCE_REASONS]
	context.pupils = [
		{
			"placement": e.placement,
			"name": e.pupil_name,
			"mark": (marks.get((e.placement, session)) or {}).get("mark"),
			"minutes_late": (marks.get((e.placement, session)) or {}).get("minutes_late"),
			"note": (marks.get((e.placement, session)) or {}).get("note"),
		}
		for e in rows.values()
	]
	return context

"""Site-to-site transfer: consent before anything leaves, what a partner may receive, what a receipt
looks like, how long to wait before trying again, and what an incoming profile must contain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ap_framework.rules import Problem, _, problem, upn
from ap_framework.rules.profile import ALL_TITLES, CODE_BY_TITLE, SAFEGUARDING, SECTIONS

PROTOCOL = 1
LAWFUL_BASES = ["Consent", "Public task", "Legal obligation", "Vital interests"]
# A safeguarding share never waits for consent (KCSIE: the lawful basis is enough); it still names one.
SAFEGUARDING_BASES = ["Public task", "Legal obligation", "Vital interests"]
PUPIL_VIEW_AGE = 12  # from this age the pupil's own view is asked for (or recorded as not appropriate)
DIRECTIONS = {"Send and Receive": {"send", "receive"}, "Send only": {"send"}, "Receive only": {"receive"}}


@dataclass(frozen=True)
class Consent:
	lawful_basis: str | None
	parent_consent: str | None  # Given / Refused / ""
	parent_consent_by: str | None
	parent_consent_date: date | None
	pupil_consent: str | None  # Given / Declined / Not appropriate / ""
	pupil_age: int | None
	channel: str = "Profile"


def check_consent(c: Consent, today: date) -> list[Problem]:
	"""Recorded before anything leaves: the lawful basis, the parent/carer's consent and, from twelve,
	the pupil's own view. Safeguarding shares need only a lawful basis that does not rest on consent."""
	problems = []
	if c.channel == "Safeguarding":
		if c.lawful_basis not in SAFEGUARDING_BASES:
			problems.append(
				problem(
					"lawful_basis",
					_("A safeguarding share needs a lawful basis other than consent ({0})"),
					", ".join(SAFEGUARDING_BASES),
					kind="consent",
				)
			)
		return problems
	if c.lawful_basis not in LAWFUL_BASES:
		problems.append(problem("lawful_basis", _("Record the lawful basis for sharing"), kind="consent"))
	if c.parent_consent != "Given":
		problems.append(
			problem(
				"parent_consent",
				_("The parent or carer's consent must be recorded as given before the profile is sent"),
				kind="consent",
			)
		)
	else:
		if not (c.parent_consent_by or "").strip():
			problems.append(
				problem("parent_consent_by", _("Name the parent or carer who consented"), kind="consent")
			)
		if not c.parent_consent_date:
			problems.append(
				problem("parent_consent_date", _("Record when consent was given"), kind="consent")
			)
		elif c.parent_consent_date > today:
			problems.append(
				problem("parent_consent_date", _("Consent cannot be dated in the future"), kind="consent")
			)
	if c.pupil_age is not None and c.pupil_age >= PUPIL_VIEW_AGE:
		if c.pupil_consent not in ("Given", "Not appropriate"):
			problems.append(
				problem(
					"pupil_consent",
					_("The pupil is {0}: record their agreement, or that asking is not appropriate"),
					c.pupil_age,
					kind="consent",
				)
			)
	elif c.pupil_consent == "Declined":
		problems.append(problem("pupil_consent", _("The pupil declined to share"), kind="consent"))
	return problems


def allows(direction: str | None, way: str) -> bool:
	return way in DIRECTIONS.get(direction or "", set())


def check_sections(requested: list[str], allowed: list[str], channel: str, partner: str) -> list[Problem]:
	"""The sections chosen exist, suit the channel, and the partner may receive every one of them."""
	problems = []
	if not requested:
		return [problem("sections", _("Choose at least one section to share"), kind="transfer_scope")]
	unknown = [s for s in requested if s not in ALL_TITLES]
	if unknown:
		problems.append(
			problem("sections", _("Unknown sections: {0}"), ", ".join(unknown), kind="transfer_scope")
		)
	if channel == "Safeguarding" and set(requested) != {SAFEGUARDING}:
		problems.append(
			problem(
				"sections",
				_("The safeguarding channel carries the safeguarding section and nothing else"),
				kind="transfer_scope",
			)
		)
	if channel != "Safeguarding" and SAFEGUARDING in requested:
		problems.append(
			problem(
				"sections",
				_("Safeguarding information travels only on the safeguarding channel"),
				kind="transfer_scope",
			)
		)
	refused = [ALL_TITLES.get(s, s) for s in requested if s in ALL_TITLES and s not in allowed]
	if refused:
		problems.append(
			problem(
				"sections",
				_("{0} may not receive: {1}"),
				partner,
				", ".join(refused),
				kind="transfer_scope",
			)
		)
	return problems


# ---- delivery ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
	"""What one HTTP answer means: delivered (with the receiver's reference), worth another try, or
	a refusal that another try cannot fix."""

	state: str  # delivered / retry / refused
	message: str
	reference: str | None = None


def classify(status: int | None, body: str | None, error: str | None = None) -> Outcome:
	if status is None:
		return Outcome("retry", f"Could not reach the partner: {error or 'no answer'}")
	if status in (401, 403):
		return Outcome(
			"refused", f"The partner refused our credentials or this share (HTTP {status}): {_brief(body)}"
		)
	if status in (408, 425, 429) or status >= 500:
		return Outcome("retry", f"The partner answered HTTP {status}: {_brief(body)}")
	if status >= 400:
		return Outcome("refused", f"The partner refused the profile (HTTP {status}): {_brief(body)}")
	try:
		message = json.loads(body or "")["message"]
		reference, state = message["reference"], message["status"]
	except (ValueError, KeyError, TypeError):
		return Outcome("retry", f"The partner's answer is not a receipt: {_brief(body)}")
	if not isinstance(reference, str) or not reference or state not in ("received", "duplicate"):
		return Outcome("retry", f"The partner's answer is not a receipt: {_brief(body)}")
	return Outcome("delivered", "Delivered" if state == "received" else "Already delivered", reference)


def _brief(body: str | None, limit: int = 300) -> str:
	"""The receiver's own error message where Frappe gives one, else the start of the body."""
	text = body or ""
	try:
		data = json.loads(text)
		for key in ("_server_messages", "exception", "message"):
			if data.get(key):
				value = data[key]
				if key == "_server_messages":
					value = " ".join(json.loads(m).get("message", "") for m in json.loads(value))
				text = str(value)
				break
	except (ValueError, TypeError, AttributeError):
		pass
	text = " ".join(text.split())
	return text[:limit] + ("…" if len(text) > limit else "")


def backoff(attempt: int, base: float, cap: float = 30.0) -> float:
	"""Seconds to wait after failed attempt `attempt` (1-based): base, 2 base, 4 base … capped."""
	return min(cap, base * (2 ** max(attempt - 1, 0)))


# ---- receiving ---------------------------------------------------------------------------------------
def check_payload(payload, allowed: list[str], channel_allowed: bool) -> list[Problem]:
	"""Everything the receiver needs, of the right shape, and nothing the partner may not send us."""
	if not isinstance(payload, dict):
		return [problem("payload", _("The transfer is not a JSON object"), kind="transfer_payload")]
	problems = []
	if payload.get("protocol") != PROTOCOL:
		problems.append(
			problem(
				"protocol",
				_("Unsupported transfer protocol {0}"),
				_shown(payload.get("protocol")),
				kind="transfer_payload",
			)
		)
	key = payload.get("idempotency_key")
	if not isinstance(key, str) or not 16 <= len(key) <= 64:
		problems.append(
			problem("idempotency_key", _("Missing or malformed idempotency key"), kind="transfer_payload")
		)
	channel = payload.get("channel")
	if channel not in ("Profile", "Safeguarding"):
		problems.append(
			problem("channel", _("Unknown channel {0}"), _shown(channel), kind="transfer_payload")
		)
	snapshot = payload.get("snapshot")
	if not isinstance(snapshot, dict) or not isinstance(snapshot.get("sections"), dict):
		return [*problems, problem("snapshot", _("The transfer carries no profile"), kind="transfer_payload")]
	pupil = snapshot.get("pupil") if isinstance(snapshot.get("pupil"), dict) else {}
	for field in ("first_name", "last_name", "date_of_birth"):
		if not isinstance(pupil.get(field), str) or not pupil.get(field).strip():
			problems.append(problem(field, _("The pupil's {0} is missing"), field, kind="transfer_payload"))
		elif len(pupil[field]) > MAX_SHORT:
			problems.append(problem(field, _("The pupil's {0} is too long"), field, kind="transfer_payload"))
	problems += _short_texts(payload, ("sender", "sender_reference", "framework_version"))
	if not isinstance(payload.get("version"), int | None) or isinstance(payload.get("version"), bool):
		problems.append(problem("version", _("The version must be a whole number"), kind="transfer_payload"))
	if not isinstance(payload.get("pack"), str | None):
		problems.append(problem("pack", _("The PDF pack must be base64 text"), kind="transfer_payload"))
	problems += check_size(snapshot, payload.get("pack"))
	if not isinstance(pupil.get("upn"), str | None) or len(pupil.get("upn") or "") > MAX_SHORT:
		return [*problems, problem("upn", _("The UPN must be text"), kind="transfer_payload")]
	if isinstance(pupil.get("date_of_birth"), str) and pupil["date_of_birth"].strip():
		if not _is_date(pupil["date_of_birth"]):
			problems.append(
				problem(
					"date_of_birth",
					_("Date of birth {0} is not a date"),
					pupil["date_of_birth"],
					kind="transfer_payload",
				)
			)
	problems += upn.check(pupil.get("upn"))
	sections = list(snapshot["sections"])
	if channel == "Safeguarding" and not channel_allowed:
		problems.append(
			problem("channel", _("This partner may not send safeguarding information"), kind="transfer_scope")
		)
	if channel in ("Profile", "Safeguarding"):
		sender = payload.get("sender") if isinstance(payload.get("sender"), str) else None
		problems += check_sections(sections, allowed, channel, sender or "The sender")
	domains = snapshot["sections"].get("domains") or {}
	rows = domains.get("rows") or [] if isinstance(domains, dict) else None
	if not isinstance(rows, list):
		return [*problems, problem("domains", _("The domain scores are not a list"), kind="transfer_payload")]
	if len(rows) > MAX_DOMAIN_ROWS:
		message = _("The profile has {0:,} domain rows; a transfer takes at most {1:,}")
		return [*problems, problem("domains", message, len(rows), MAX_DOMAIN_ROWS, kind="transfer_payload")]
	for i, row in enumerate(rows, 1):
		if not _domain_row(row):
			problems.append(problem("domains", _("Domain row {0} is malformed"), i, kind="transfer_payload"))
	return problems


MAX_SHORT = 140  # a Data field on the Incoming Profile
# Bounds on what a partner may send (Frappe refuses a request body over 25 MB before any of this).
# A profile with a year of assessments is about 50 KB of JSON and its pack a few hundred KB of PDF.
MAX_SNAPSHOT_BYTES = 2 * 2**20
MAX_PACK_BYTES = 15 * 2**20
MAX_DOMAIN_ROWS = 200  # a domain's baseline and latest scores: one row a domain


def _mb(size: int) -> float:
	return round(size / 2**20, 1)


def check_size(snapshot: dict, pack) -> list[Problem]:
	"""The profile (as JSON) and its PDF pack (as decoded from base64) within their bounds, each problem
	saying the bound."""
	problems = []
	size = len(json.dumps(snapshot, default=str).encode())
	if size > MAX_SNAPSHOT_BYTES:
		message = _("The profile is {0} MB; a transfer takes at most {1} MB")
		problems.append(
			problem("snapshot", message, _mb(size), MAX_SNAPSHOT_BYTES // 2**20, kind="transfer_payload")
		)
	size = len(pack) * 3 // 4 if isinstance(pack, str) else 0
	if size > MAX_PACK_BYTES:
		message = _("The PDF pack is {0} MB; a transfer takes at most {1} MB")
		problems.append(problem("pack", message, _mb(size), MAX_PACK_BYTES // 2**20, kind="transfer_payload"))
	return problems


def _shown(value) -> str:
	"""A value the partner sent, quoted back in a message at no great length."""
	text = value if isinstance(value, str) else repr(value)
	return text if len(text) <= 40 else text[:40] + "…"


def _short_texts(values: dict, fields) -> list[Problem]:
	return [
		problem(f, _("{0} must be text of at most {1} characters"), f, MAX_SHORT, kind="transfer_payload")
		for f in fields
		if values.get(f) is not None and (not isinstance(values[f], str) or len(values[f]) > MAX_SHORT)
	]


def _domain_row(row) -> bool:
	"""One domain's baseline and latest scores as domain_history() reads them."""
	if not isinstance(row, dict) or not isinstance(row.get("code"), str) or not row["code"].strip():
		return False
	if _short_texts(row, ("code", "domain")):
		return False
	for point in (row.get("baseline"), row.get("latest")):
		if (
			not isinstance(point, dict)
			or not isinstance(point.get("score"), int)
			or isinstance(point["score"], bool)
		):
			return False
		if abs(point["score"]) > 2**31 - 1 or not isinstance(point.get("descriptor"), str | None):
			return False
		when = point.get("date")
		if when is not None and not _is_date(when):
			return False
	return True


def _is_date(value) -> bool:
	if not isinstance(value, str) or len(value) != 10:
		return False
	try:
		return date(1900, 1, 1) <= date.fromisoformat(value) <= date(2099, 12, 31)
	except ValueError:
		return False


def domain_history(rows: list[dict], local_codes: dict[str, str]) -> list[dict]:
	"""The sender's scores as history rows, each domain mapped to ours by code (blank when we lack it)."""
	out = []
	for row in rows:
		for kind in ("baseline", "latest"):
			point = row[kind]
			out.append(
				{
					"domain_code": row["code"],
					"domain": local_codes.get(row["code"]),
					"domain_name_sent": row.get("domain") or row["code"],
					"point": kind,
					"assessment_date": point.get("date"),
					"score": point["score"],
					"descriptor": point.get("descriptor") or "",
				}
			)
	return out


def sections_of(titles: list[str]) -> list[str]:
	"""Section codes from the titles staff pick in a form, in the profile's order."""
	codes = {CODE_BY_TITLE.get(t, t) for t in titles}
	return [c for c in [*SECTIONS, SAFEGUARDING] if c in codes] + sorted(codes - set(ALL_TITLES))


# ---- after delivery: what the receiver did with it ---------------------------------------------------
RECEIPT_SCHOOL_DAYS = 5  # a safeguarding share unconfirmed this long is chased (KCSIE: confirm receipt)
FOLLOW_UP_DAYS = 90  # a transfer still undecided after this long is no longer asked about
STATUS_BATCH = 200  # idempotency keys per status request
REMOTE_STATES = ("Awaiting Acceptance", "Accepted", "Rejected")
# What the receiver reports, as the Profile Transfer fields it fills on our side.
REMOTE_FIELDS = {
	"status": "remote_status",
	"receipt_confirmed_on": "receipt_confirmed_on",
	"receipt_confirmed_by": "receipt_confirmed_by",
	"decided_on": "remote_decided_on",
	"decided_by": "remote_decided_by",
	"rejection_reason": "remote_rejection_reason",
}


def receipt_due_by(sent_on: date) -> date:
	"""The day a safeguarding share sent on `sent_on` is overdue for a receipt: five school days on."""
	from ap_framework.rules.oversight import school_days_after

	return school_days_after(sent_on, RECEIPT_SCHOOL_DAYS)


def needs_follow_up(channel: str, remote_status: str | None, receipt_confirmed: bool) -> bool:
	"""Still worth asking the receiver about: not yet decided, or a safeguarding share not yet confirmed."""
	undecided = remote_status in (None, "", "Awaiting Acceptance")
	return undecided or (channel == "Safeguarding" and not receipt_confirmed)


def parse_statuses(body: str | None, asked: list[str]) -> dict[str, dict] | None:
	"""The receiver's answer to a status request, as {idempotency key: {our field: value}} for the keys we
	asked about; None when the answer is not one (garbage is ignored, never half-applied)."""
	try:
		profiles = json.loads(body or "")["message"]["profiles"]
	except (ValueError, KeyError, TypeError):
		return None
	if not isinstance(profiles, dict):
		return None
	out = {}
	for key in asked:
		row = profiles.get(key)
		if not isinstance(row, dict) or row.get("status") not in REMOTE_STATES:
			continue
		out[key] = {
			ours: (str(row[theirs])[:140] if theirs != "rejection_reason" else str(row[theirs])[:2000])
			if row.get(theirs) not in (None, "")
			else None
			for theirs, ours in REMOTE_FIELDS.items()
		}
	return out


def changes(current: dict, reported: dict) -> dict:
	"""The fields that differ between what we hold and what the receiver now reports. A receipt, once
	confirmed, stays confirmed (a later answer without it does not blank it)."""
	out = {}
	for field, value in reported.items():
		if value is None and current.get(field):
			continue
		width = 19 if field.endswith("_on") else None  # datetimes to the second, as the receiver sends them
		if str(current.get(field) or "")[:width] != str(value or "")[:width]:
			out[field] = value
	return out

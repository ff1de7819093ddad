"""The DfE Common Transfer File (CTF): the core pupil record as school MIS exchange it.

Export writes the subset of the CTF schema this app holds (header with source and destination school;
per pupil UPN, names, date of birth, sex, year, former UPN, SEN provision and contacts). Import parses
a CTF and reports, record by record, everything it cannot take, so the caller can refuse the file whole
rather than half-import it. Plain Python: no frappe import.

The file comes from another school's MIS or from a person's upload, so it is untrusted: it is parsed with
defusedxml, which refuses a DOCTYPE (a CTF is defined by an XSD and never carries one), entity declarations
(the "billion laughs" expansion) and references to files or addresses outside the document (XXE). Export
builds with xml.etree: nothing is parsed there.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime

import defusedxml
import defusedxml.ElementTree as safe_xml

from ap_framework.rules import Problem, _, problem, upn

CTF_VERSION = "24.0"
SEX_OUT = {"Female": "F", "Male": "M"}
SEX_IN = {v: k for k, v in SEX_OUT.items()}
SEN_CODES = ("N", "K", "E")
# CTF contact relationship codes this app reads and writes; anything else travels as OTH.
RELATIONSHIPS = {"PAR": "Parent", "CAR": "Carer", "FOS": "Foster carer", "REL": "Relative", "OTH": "Other"}
# checked in this order: "grandmother" is a relative, "foster carer" a foster carer
_WORDS = {"grand": "REL", "foster": "FOS", "mother": "PAR", "father": "PAR", "parent": "PAR", "carer": "CAR"}
# Bounds on an untrusted file. A school's whole-roll CTF (2,000 pupils with contacts) is about 5 MB.
MAX_BYTES = 20 * 1024 * 1024
MAX_PUPILS = 10_000


@dataclass
class CTFPupil:
	upn: str
	first_name: str
	last_name: str
	date_of_birth: date
	gender: str = ""
	year_group: str = ""
	former_upn: str = ""
	sen_status: str | None = None  # None: the file does not say (kept as it is on update, N on create)
	contacts: list[dict] = field(default_factory=list)


def relationship_code(text: str | None) -> str:
	low = (text or "").lower()
	for code, word in RELATIONSHIPS.items():
		if low == word.lower() or low == code.lower():
			return code
	for word, code in _WORDS.items():
		if word in low:
			return code
	return "OTH"


def year_code(year_group: str | None) -> str:
	if not year_group:
		return ""
	if year_group == "Reception":
		return "R"
	return year_group.replace("Year ", "").strip()


def year_group_of(code: str) -> str | None:
	if code == "R":
		return "Reception"
	if code.isdigit() and 1 <= int(code) <= 14:
		return f"Year {int(code)}"
	return None


def _sub(parent: ET.Element, tag: str, text=None) -> ET.Element:
	el = ET.SubElement(parent, tag)
	if text not in (None, ""):
		el.text = str(text)
	return el


def export(source: dict, dest: dict, pupils: list[dict], now: datetime) -> str:
	"""CTF XML for `pupils` (dicts shaped like CTFPupil's fields) from `source` to `dest` school
	(each with la_code, estab, urn, name)."""
	root = ET.Element("CTfile")
	header = _sub(root, "Header")
	_sub(header, "DocumentName", "Common Transfer File")
	_sub(header, "CTFversion", CTF_VERSION)
	_sub(header, "DateTime", now.replace(microsecond=0).isoformat())
	_sub(header, "DocumentQualifier", "full")
	_sub(header, "SupplierID", "ap_framework")
	src = _sub(header, "SourceSchool")
	_sub(src, "LEA", source.get("la_code"))
	_sub(src, "Estab", source.get("estab"))
	_sub(src, "URN", source.get("urn"))
	_sub(src, "SchoolName", source.get("name"))
	_sub(src, "AcademicYear", now.year if now.month >= 9 else now.year - 1)
	dst = _sub(header, "DestSchool")
	_sub(dst, "LEA", dest.get("la_code"))
	_sub(dst, "Estab", dest.get("estab"))
	data = _sub(root, "CTFpupilData")
	for p in pupils:
		el = _sub(data, "Pupil")
		_sub(el, "UPN", p.get("upn"))
		_sub(el, "Surname", p.get("last_name"))
		_sub(el, "Forename", p.get("first_name"))
		_sub(el, "DOB", p["date_of_birth"].isoformat() if p.get("date_of_birth") else "")
		_sub(el, "Sex", SEX_OUT.get(p.get("gender") or "", ""))
		basic = _sub(el, "BasicDetails")
		_sub(basic, "FormerUPN", p.get("former_upn"))
		_sub(basic, "NCyearActual", year_code(p.get("year_group")))
		if p.get("sen_status"):  # only when the exporting user may read it
			sen = _sub(_sub(el, "SENhistory"), "SEN")
			_sub(sen, "SENprovision", p["sen_status"])
		contacts = _sub(el, "Contacts")
		for order, c in enumerate(p.get("contacts") or [], 1):
			ce = _sub(contacts, "Contact")
			_sub(ce, "Order", order)
			surname, _sep, forename = _split_name(c.get("contact_name") or "")
			_sub(ce, "Surname", surname)
			_sub(ce, "Forename", forename)
			_sub(ce, "Relationship", relationship_code(c.get("relationship")))
			_sub(ce, "Responsibility", "true" if c.get("parental_responsibility") else "false")
			if c.get("phone"):
				phone = _sub(_sub(ce, "Phones"), "Phone")
				_sub(phone, "TelephoneType", "H")
				_sub(phone, "PhoneNo", c["phone"])
			_sub(ce, "Email", c.get("email"))
	ET.indent(root)
	return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _split_name(name: str) -> tuple[str, str, str]:
	parts = name.strip().rsplit(" ", 1)
	if len(parts) == 1:
		return parts[0], "", ""
	return parts[1], " ", parts[0]


def _text(el: ET.Element | None, path: str) -> str:
	found = el.find(path) if el is not None else None
	return (found.text or "").strip() if found is not None and found.text else ""


def parse(content: bytes | str, today: date) -> tuple[dict, list[CTFPupil], list[Problem]]:
	"""(header, pupils, problems). Any problem means the file must be refused whole; each names the
	record (its position and UPN) and what is wrong with it."""
	raw = content.encode() if isinstance(content, str) else content
	problems = check_size(len(raw))
	if problems:
		return {}, [], problems
	root, problems = _root(raw)
	if problems:
		return {}, [], problems
	if root.tag != "CTfile" or root.find("Header") is None:
		return (
			{},
			[],
			[problem("ctf", _("This is not a Common Transfer File (no CTfile header)"), kind="ctf")],
		)
	header = {
		"version": _text(root, "Header/CTFversion"),
		"source_la": _text(root, "Header/SourceSchool/LEA"),
		"source_estab": _text(root, "Header/SourceSchool/Estab"),
		"source_name": _text(root, "Header/SourceSchool/SchoolName"),
		"dest_la": _text(root, "Header/DestSchool/LEA"),
		"dest_estab": _text(root, "Header/DestSchool/Estab"),
	}
	records = root.findall("CTFpupilData/Pupil")
	if not records:
		return header, [], [problem("ctf", _("The file holds no pupils"), kind="ctf")]
	if len(records) > MAX_PUPILS:
		message = _("The file holds {0:,} pupils; a CTF import takes at most {1:,}")
		return header, [], [problem("ctf", message, len(records), MAX_PUPILS, kind="ctf")]
	pupils, problems, seen = [], [], {}
	for n, el in enumerate(records, 1):
		p, own = _pupil(el, n, today)
		if p and p.upn in seen:
			own.append(_record(n, p.upn, _("UPN also used by record {0}"), seen[p.upn]))
		if p:
			seen.setdefault(p.upn, n)
		problems += own
		if p and not own:
			pupils.append(p)
	return header, pupils, problems


def check_size(size: int) -> list[Problem]:
	if size > MAX_BYTES:
		return [
			problem(
				"ctf",
				_("The file is {0} MB; a CTF import takes at most {1} MB"),
				round(size / 2**20, 1),
				MAX_BYTES // 2**20,
				kind="ctf",
			)
		]
	return []


def _root(raw: bytes) -> tuple[ET.Element | None, list[Problem]]:
	"""The document's root, or why it is refused: defusedxml raises before anything is expanded or fetched."""
	try:
		return safe_xml.fromstring(raw, forbid_dtd=True), []
	except defusedxml.DTDForbidden:
		found = problem("ctf", _("The file declares a DOCTYPE, which a CTF never does"), kind="ctf")
	except defusedxml.EntitiesForbidden as e:
		found = problem(
			"ctf", _("The file declares the entity {0}, which a CTF never does"), e.name, kind="ctf"
		)
	except defusedxml.ExternalReferenceForbidden:
		message = _("The file refers to a file or address outside itself, which a CTF never does")
		found = problem("ctf", message, kind="ctf")
	except ET.ParseError as e:
		found = problem("ctf", _("The file is not well-formed XML: {0}"), str(e), kind="ctf")
	return None, [found]


def _record(n: int, upn_value: str, message: str, *args) -> Problem:
	"""A problem naming the record; the detail is a problem of its own, rendered (and translated) inside."""
	return problem(
		"ctf",
		_("Record {0} ({1}): {2}"),
		n,
		upn_value or _("no UPN"),
		problem("ctf", message, *args),
		kind="ctf",
	)


def _pupil(el: ET.Element, n: int, today: date) -> tuple[CTFPupil | None, list[Problem]]:
	value = upn.normalise(_text(el, "UPN"))
	out: list[Problem] = []
	if not value:
		out.append(_record(n, value, _("the UPN is missing")))
	else:
		out += [_record(n, value, p.message, *p.args) for p in upn.check(value)]
	surname, forename = _text(el, "Surname"), _text(el, "Forename")
	if not surname:
		out.append(_record(n, value, _("the surname is missing")))
	if not forename:
		out.append(_record(n, value, _("the forename is missing")))
	dob = None
	dob_text = _text(el, "DOB")
	try:
		dob = date.fromisoformat(dob_text)
	except ValueError:
		out.append(_record(n, value, _("date of birth {0} is not a date (YYYY-MM-DD)"), dob_text or "—"))
	if dob and dob > today:
		out.append(_record(n, value, _("date of birth {0} is in the future"), dob_text))
	sex = _text(el, "Sex")
	if sex and sex not in SEX_IN:
		out.append(_record(n, value, _("sex {0} is not M or F"), sex))
	sen = _text(el, "SENhistory/SEN/SENprovision") or None
	if sen is not None and sen not in SEN_CODES:
		out.append(_record(n, value, _("SEN provision {0} is not N, K or E"), sen))
	year = _text(el, "BasicDetails/NCyearActual")
	year_group = year_group_of(year) if year else ""
	if year_group is None:
		out.append(_record(n, value, _("year {0} is not R or 1 to 14"), year))
	former = upn.normalise(_text(el, "BasicDetails/FormerUPN"))
	contacts = []
	for c in el.findall("Contacts/Contact"):
		name = " ".join(x for x in (_text(c, "Forename"), _text(c, "Surname")) if x)
		if not name:
			out.append(_record(n, value, _("a contact has no name")))
			continue
		contacts.append(
			{
				"contact_name": name,
				"relationship": RELATIONSHIPS.get(_text(c, "Relationship"), "Other"),
				"parental_responsibility": 1 if _text(c, "Responsibility").lower() == "true" else 0,
				"phone": _text(c, "Phones/Phone/PhoneNo"),
				"email": _text(c, "Email"),
			}
		)
	if out:
		return (CTFPupil(value, forename, surname, dob) if value else None), out
	return (
		CTFPupil(
			upn=value,
			first_name=forename,
			last_name=surname,
			date_of_birth=dob,
			gender=SEX_IN.get(sex, ""),
			year_group=year_group or "",
			former_upn=former,
			sen_status=sen,
			contacts=contacts,
		),
		[],
	)

"""The DfE's Get Information About Schools (GIAS) "all establishment data" extract, read and judged.

The file is `edubasealldata<YYYYMMDD>.csv` from get-information-schools.service.gov.uk/Downloads: one
row per establishment (open and closed, about 50,000 rows and 60 MB), about 140 columns named as in
`COLUMNS` (a "(code)" and a "(name)" column for each coded item), comma-separated with quoted fields,
dates written DD-MM-YYYY, in Windows-1252 (not UTF-8: "St Mary’s" carries byte 0x92). Columns have come
and gone between releases, so a column is found by its name, never by its position, and a file lacking
one this import reads is refused naming it.

Plain Python: nothing here imports frappe. `read` turns the file's bytes into rows (with Python's csv
module, which handles quoting, embedded commas and line breaks, and either line ending); `judge` turns
one row into an Establishment or the reasons it is rejected, each naming its column; `merge` decides,
field by field, what an import may write over a record a person may have edited since.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from ap_framework.rules import Problem, _, problem
from ap_framework.rules.identifiers import _POSTCODE

# Bounds on an untrusted file: the real extract is about 60 MB and 51,000 rows (2024-2025).
MAX_BYTES = 100 * 1024 * 1024
MAX_ROWS = 100_000
MAX_FIELD = 100_000  # characters in one field (csv's own default is 131,072)

# The header of edubasealldata20240717.csv, in order (see tests/unit/test_rules_gias.py for sources).
COLUMNS = (
	"URN",
	"LA (code)",
	"LA (name)",
	"EstablishmentNumber",
	"EstablishmentName",
	"TypeOfEstablishment (code)",
	"TypeOfEstablishment (name)",
	"EstablishmentTypeGroup (code)",
	"EstablishmentTypeGroup (name)",
	"EstablishmentStatus (code)",
	"EstablishmentStatus (name)",
	"ReasonEstablishmentOpened (code)",
	"ReasonEstablishmentOpened (name)",
	"OpenDate",
	"ReasonEstablishmentClosed (code)",
	"ReasonEstablishmentClosed (name)",
	"CloseDate",
	"PhaseOfEducation (code)",
	"PhaseOfEducation (name)",
	"StatutoryLowAge",
	"StatutoryHighAge",
	"Boarders (code)",
	"Boarders (name)",
	"NurseryProvision (name)",
	"OfficialSixthForm (code)",
	"OfficialSixthForm (name)",
	"Gender (code)",
	"Gender (name)",
	"ReligiousCharacter (code)",
	"ReligiousCharacter (name)",
	"ReligiousEthos (name)",
	"Diocese (code)",
	"Diocese (name)",
	"AdmissionsPolicy (code)",
	"AdmissionsPolicy (name)",
	"SchoolCapacity",
	"SpecialClasses (code)",
	"SpecialClasses (name)",
	"CensusDate",
	"NumberOfPupils",
	"NumberOfBoys",
	"NumberOfGirls",
	"PercentageFSM",
	"TrustSchoolFlag (code)",
	"TrustSchoolFlag (name)",
	"Trusts (code)",
	"Trusts (name)",
	"SchoolSponsorFlag (name)",
	"SchoolSponsors (name)",
	"FederationFlag (name)",
	"Federations (code)",
	"Federations (name)",
	"UKPRN",
	"FEHEIdentifier",
	"FurtherEducationType (name)",
	"OfstedLastInsp",
	"OfstedSpecialMeasures (code)",
	"OfstedSpecialMeasures (name)",
	"LastChangedDate",
	"Street",
	"Locality",
	"Address3",
	"Town",
	"County (name)",
	"Postcode",
	"SchoolWebsite",
	"TelephoneNum",
	"HeadTitle (name)",
	"HeadFirstName",
	"HeadLastName",
	"HeadPreferredJobTitle",
	"BSOInspectorateName (name)",
	"InspectorateReport",
	"DateOfLastInspectionVisit",
	"NextInspectionVisit",
	"TeenMoth (name)",
	"TeenMothPlaces",
	"CCF (name)",
	"SENPRU (name)",
	"EBD (name)",
	"PlacesPRU",
	"FTProv (name)",
	"EdByOther (name)",
	"Section41Approved (name)",
	*(f"SEN{i} (name)" for i in range(1, 14)),
	"TypeOfResourcedProvision (name)",
	"ResourcedProvisionOnRoll",
	"ResourcedProvisionCapacity",
	"SenUnitOnRoll",
	"SenUnitCapacity",
	"GOR (code)",
	"GOR (name)",
	"DistrictAdministrative (code)",
	"DistrictAdministrative (name)",
	"AdministrativeWard (code)",
	"AdministrativeWard (name)",
	"ParliamentaryConstituency (code)",
	"ParliamentaryConstituency (name)",
	"UrbanRural (code)",
	"UrbanRural (name)",
	"GSSLACode (name)",
	"Easting",
	"Northing",
	"MSOA (name)",
	"LSOA (name)",
	"InspectorateName (name)",
	"SENStat",
	"SENNoStat",
	"BoardingEstablishment (name)",
	"PropsName",
	"PreviousLA (code)",
	"PreviousLA (name)",
	"PreviousEstablishmentNumber",
	"OfstedRating (name)",
	"Country (name)",
	"UPRN",
	"SiteName",
	"QABName (code)",
	"QABName (name)",
	"EstablishmentAccredited (code)",
	"EstablishmentAccredited (name)",
	"QABReport",
	"CHNumber",
	"MSOA (code)",
	"LSOA (code)",
	"FSM",
	"AccreditationExpiryDate",
)

URN, LA_CODE, NUMBER, NAME = "URN", "LA (code)", "EstablishmentNumber", "EstablishmentName"
TYPE, STATUS, CLOSE_DATE, PHASE = (
	"TypeOfEstablishment (name)",
	"EstablishmentStatus (name)",
	"CloseDate",
	"PhaseOfEducation (name)",
)
TRUST, UKPRN = "Trusts (name)", "UKPRN"
STREET, LOCALITY, ADDRESS3, TOWN, POSTCODE = "Street", "Locality", "Address3", "Town", "Postcode"
# The columns this import reads; a file without one of them is refused.
READ = (URN, LA_CODE, NUMBER, NAME, TYPE, STATUS, CLOSE_DATE, PHASE, TRUST, UKPRN)
READ += (STREET, LOCALITY, ADDRESS3, TOWN, POSTCODE)

# ---- what each establishment type is to us --------------------------------------------------------
# Registered providers of AP: a pupil placed there is in a registered school, with the registration
# status the type implies (AP Provider.registration_status). PRUs, AP academies and AP free schools
# are the state's own AP; special schools (state and non-maintained) take pupils placed by others; an
# independent school (special or not) is registered under the Education and Skills Act 2008, s.92-96.
PROVIDER_TYPES = {
	"Pupil referral unit": "PRU",
	"Academy alternative provision converter": "AP Academy",
	"Academy alternative provision sponsor led": "AP Academy",
	"Free schools alternative provision": "AP Free School",
	"Community special school": "Special School",
	"Foundation special school": "Special School",
	"Non-maintained special school": "Special School",
	"Academy special converter": "Special School",
	"Academy special sponsor led": "Special School",
	"Free schools special": "Special School",
	"Other independent special school": "Independent School",
	"Other independent school": "Independent School",
}
# Schools that place pupils: the mainstream state and academy types.
SCHOOL_TYPES = {
	"Community school",
	"Voluntary aided school",
	"Voluntary controlled school",
	"Foundation school",
	"Local authority nursery school",
	"City technology college",
	"Academy sponsor led",
	"Academy converter",
	"Free schools",
	"Free schools 16 to 19",
	"University technical college",
	"Studio schools",
	"Academy 16-19 converter",
	"Academy 16 to 19 sponsor led",
	"Academy secure 16 to 19",
}
# Real GIAS types that are neither (colleges, universities, Welsh and overseas establishments, ...):
# read, counted as not taken, never rejected.
OTHER_TYPES = {
	"Further education",
	"Sixth form centres",
	"Higher education institutions",
	"Secure units",
	"Offshore schools",
	"Service children's education",
	"Miscellaneous",
	"Welsh establishment",
	"Special post 16 institution",
	"British schools overseas",
	"Online provider",
	"Institution funded by other government department",
}
OPEN_STATUSES = {"Open", "Open, but proposed to close", "Proposed to open"}
CLOSED = "Closed"
STATUSES = OPEN_STATUSES | {CLOSED}
# PhaseOfEducation (name) -> School.phase
PHASES = {
	"Nursery": "Primary",
	"Primary": "Primary",
	"Middle deemed primary": "Primary",
	"Middle deemed secondary": "Secondary",
	"Secondary": "Secondary",
	"All-through": "All-through",
	"16 plus": "16 plus",
	"Not applicable": "",
}

# The fields an import writes, per kind of record; the rest of a record is the users' own.
SCHOOL_FIELDS = (
	"school_name",
	"la_code",
	"establishment_number",
	"phase",
	"trust",
	"address_line1",
	"address_line2",
	"town",
	"postcode",
	"establishment_status",
	"close_date",
)
PROVIDER_FIELDS = (
	"provider_name",
	"la_code",
	"establishment_number",
	"registration_status",
	"ukprn",
	"address_line1",
	"address_line2",
	"town",
	"postcode",
	"establishment_status",
	"close_date",
)
SCHOOL, PROVIDER = "School", "AP Provider"


@dataclass
class Establishment:
	"""One row the import takes: a School or an AP Provider, with the values GIAS gives its fields."""

	row: int  # the file's line-counted row number (the header is row 1)
	urn: str
	doctype: str
	values: dict
	closed: bool


@dataclass
class Rejection:
	row: int
	urn: str
	column: str
	reason: str  # English with {0}-style placeholders already filled in
	problems: list[Problem] = field(default_factory=list)


# ---- the file --------------------------------------------------------------------------------------
def check_size(size: int) -> list[Problem]:
	if size > MAX_BYTES:
		return [
			problem(
				"import_file",
				_("The file is {0} MB; a GIAS import takes at most {1} MB"),
				round(size / 1024 / 1024, 1),
				MAX_BYTES // 1024 // 1024,
				kind="gias",
			)
		]
	if size == 0:
		return [problem("import_file", _("The file is empty"), kind="gias")]
	return []


def no_file() -> list[Problem]:
	return [problem("import_file", _("Attach the GIAS file to this import"), kind="gias")]


def check_archive(csv_files: int) -> list[Problem]:
	if csv_files != 1:
		return [
			problem(
				"import_file",
				_("The archive holds {0} CSV files; it should hold the one GIAS file"),
				csv_files,
				kind="gias",
			)
		]
	return []


def bad_archive(reason: str) -> list[Problem]:
	return [problem("import_file", _("The archive cannot be opened: {0}"), reason, kind="gias")]


def bad_encoding(offset: int) -> list[Problem]:
	return [
		problem(
			"import_file",
			_("Byte {0} is neither UTF-8 nor Windows-1252: this is not a GIAS file"),
			offset,
			kind="gias",
		)
	]


def encoding_of(data: bytes) -> tuple[str, str]:
	"""(Python codec, the name the import shows). GIAS writes Windows-1252; a file saved again as UTF-8
	(with or without a byte order mark) is read as UTF-8. Bytes that are not UTF-8 are Windows-1252's,
	where five byte values mean nothing: a file with one of them is no GIAS file (ValueError with the
	byte's offset). Checked a megabyte at a time: the file is never held twice as text."""
	if data.startswith(b"\xef\xbb\xbf"):
		codec = "utf-8-sig"
		if _decodes(data, codec) is None:
			return codec, "UTF-8"
	if _decodes(data, "utf-8") is None:
		return "utf-8", "UTF-8"
	offset = _decodes(data, "cp1252")
	if offset is None:
		return "cp1252", "Windows-1252"
	raise ValueError(offset)


def _decodes(data: bytes, codec: str, step: int = 1 << 20) -> int | None:
	"""None if `data` is all `codec`, else the offset of the first byte that is not."""
	decoder = codecs.getincrementaldecoder(codec)()
	view = memoryview(data)
	for start in range(0, len(data), step):
		try:
			decoder.decode(view[start : start + step], final=start + step >= len(data))
		except UnicodeDecodeError as e:
			return start + e.start
	return None


def decode(data: bytes) -> tuple[str, str]:
	"""(text, encoding shown) of a whole file (see encoding_of)."""
	codec, shown = encoding_of(data)
	return data.decode(codec), shown


def text_of(data: bytes, codec: str):
	"""The file as text read as it is parsed, never all at once (for read())."""
	return io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")


def check_la_codes(text: str | None) -> tuple[list[str], list[Problem]]:
	"""The LA codes to take, as a person types them ("873, 874 881"): each three digits."""
	codes = [c for c in re.split(r"[\s,;]+", text or "") if c]
	bad = [c for c in codes if not re.fullmatch(r"\d{3}", c)]
	if bad:
		return [], [problem("la_codes", _("{0}: each LA code is three digits"), ", ".join(bad), kind="gias")]
	if not codes:
		return [], [problem("la_codes", _("Name at least one LA code to take"), kind="gias")]
	return sorted(set(codes)), []


def read(text, la_codes: list[str] | None = None) -> tuple[list[str], list, int, list[Problem]]:
	"""(header, [(row number, fields)], rows in the file, problems). With `la_codes`, only the rows of
	those LAs are kept (the whole of England is 51,000 rows of 139 fields; an LA a few hundred), and
	a row too short to have an LA code is kept for records() to reject. Refuses a file without the
	columns the import reads, with more than MAX_ROWS rows, or that the csv module cannot parse
	(naming the line)."""
	stream = io.StringIO(text, newline="") if isinstance(text, str) else text
	reader = csv.reader(stream, strict=True)
	try:
		header = next(reader, None)
	except csv.Error as e:
		return [], [], 0, [problem("import_file", _("The header cannot be read: {0}"), str(e), kind="gias")]
	if not header:
		return [], [], 0, [problem("import_file", _("The file has no header row"), kind="gias")]
	header = [h.strip() for h in header]
	missing = [c for c in READ if c not in header]
	if missing:
		message = _("This is not a GIAS establishment file: it has no column {0}")
		return header, [], 0, [problem("import_file", message, ", ".join(missing), kind="gias")]
	wanted, la_at = set(la_codes or ()), header.index(LA_CODE)
	used = {i for i, c in enumerate(header) if c in READ}
	rows, total = [], 0
	old_limit = csv.field_size_limit()
	csv.field_size_limit(MAX_FIELD)
	try:
		for fields in reader:
			if not fields or fields == [""]:
				continue
			total += 1
			if total > MAX_ROWS:
				message = _("The file has more than {0:,} rows; a GIAS import takes at most {0:,}")
				return header, [], total, [problem("import_file", message, MAX_ROWS, kind="gias")]
			if not wanted or la_at >= len(fields) or fields[la_at].strip() in wanted:
				if len(fields) == len(header):  # the columns not read are let go (a tenth is kept)
					fields = [f if i in used else "" for i, f in enumerate(fields)]
				rows.append((reader.line_num, fields))
	except csv.Error as e:
		message = _("Line {0} cannot be read: {1}")
		return header, [], total, [problem("import_file", message, reader.line_num, str(e), kind="gias")]
	finally:
		csv.field_size_limit(old_limit)
	return header, rows, total, []


# ---- one row ---------------------------------------------------------------------------------------
def gias_date(value: str) -> date | None:
	"""GIAS writes dates DD-MM-YYYY; ValueError if it is not one."""
	value = (value or "").strip()
	if not value:
		return None
	m = re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", value)
	if not m:
		raise ValueError(value)
	return date(int(m[3]), int(m[2]), int(m[1]))


def kind_of(type_name: str) -> str | None:
	"""SCHOOL, PROVIDER, "" for a real GIAS type we do not take, None for a type GIAS does not have."""
	if type_name in PROVIDER_TYPES:
		return PROVIDER
	if type_name in SCHOOL_TYPES:
		return SCHOOL
	if type_name in OTHER_TYPES:
		return ""
	return None


def judge(row: int, record: dict) -> tuple[Establishment | None, list[Rejection]]:
	"""An Establishment, or every reason the row cannot be taken, each naming its column.
	A real type we do not take is (None, [])."""
	get = lambda column: (record.get(column) or "").strip()  # noqa: E731
	urn = get(URN)
	out: list[tuple[str, str, tuple]] = []

	def reject(column, message, *args):
		out.append((column, message, args))

	if not urn:
		reject(URN, _("No URN"))
	elif not re.fullmatch(r"\d{6,7}", urn):
		reject(URN, _("URN {0} must be 6 or 7 digits"), urn)
	if not re.fullmatch(r"\d{3}", get(LA_CODE)):
		reject(LA_CODE, _("LA code {0} must be 3 digits"), get(LA_CODE))
	if get(NUMBER) and not re.fullmatch(r"\d{4}", get(NUMBER)):
		reject(NUMBER, _("Establishment number {0} must be 4 digits"), get(NUMBER))
	if not get(NAME):
		reject(NAME, _("No establishment name"))
	elif len(get(NAME)) > 140:
		reject(NAME, _("The name is longer than 140 characters"))
	doctype = kind_of(get(TYPE))
	if doctype is None:
		reject(TYPE, _("{0} is not an establishment type GIAS has"), get(TYPE) or _("(empty)"))
	status = get(STATUS)
	if status not in STATUSES:
		reject(STATUS, _("{0} is not an establishment status GIAS has"), status or _("(empty)"))
	try:
		close_date = gias_date(get(CLOSE_DATE))
	except ValueError:
		close_date = None
		reject(CLOSE_DATE, _("{0} is not a date written DD-MM-YYYY"), get(CLOSE_DATE))
	if get(UKPRN) and not re.fullmatch(r"1\d{7}", get(UKPRN)):
		reject(UKPRN, _("UKPRN {0} must be 8 digits starting with 1"), get(UKPRN))
	postcode = get(POSTCODE).upper()
	if postcode and not _POSTCODE.match(postcode):
		reject(POSTCODE, _("{0} is not a UK postcode"), get(POSTCODE))
	for column in (TRUST, STREET, LOCALITY, ADDRESS3, TOWN):
		if len(get(column)) > 140:
			reject(column, _("Longer than 140 characters"))

	if out:
		return None, [
			Rejection(row, urn, column, message.format(*args), [problem(column, message, *args, kind="gias")])
			for column, message, args in out
		]
	if not doctype:
		return None, []

	common = {
		"la_code": get(LA_CODE),
		"establishment_number": get(NUMBER),
		"address_line1": get(STREET),
		"address_line2": ", ".join(v for v in (get(LOCALITY), get(ADDRESS3)) if v),
		"town": get(TOWN),
		"postcode": postcode,
		"establishment_status": CLOSED if status == CLOSED else "Open",
		"close_date": close_date.isoformat() if close_date else "",
	}
	if doctype == SCHOOL:
		values = {"school_name": get(NAME), "phase": PHASES.get(get(PHASE), ""), "trust": get(TRUST)}
	else:
		values = {
			"provider_name": get(NAME),
			"registration_status": PROVIDER_TYPES[get(TYPE)],
			"ukprn": get(UKPRN),
		}
	return Establishment(row, urn, doctype, values | common, status == CLOSED), []


def records(header: list[str], rows: list[tuple[int, list[str]]], la_codes: list[str]):
	"""(establishments, rejections, not_taken, other_las) for the rows of the chosen LAs (other_las
	counts the rows given that are not theirs). A row with the wrong number of fields, or a URN
	already seen in the file, is rejected."""
	taken, rejected, not_taken, other = [], [], 0, 0
	seen: dict[str, int] = {}
	wanted = set(la_codes)
	la_at = header.index(LA_CODE)
	for number, fields in rows:
		if len(fields) != len(header):
			la = fields[la_at].strip() if la_at < len(fields) else ""
			if la in wanted:
				urn = fields[0].strip() if fields else ""
				message = _("The row has {0} fields; the header has {1}")
				args = (len(fields), len(header))
				rejected.append(
					Rejection(number, urn, "row", message.format(*args), [problem("row", message, *args)])
				)
			else:
				other += 1
			continue
		if fields[la_at].strip() not in wanted:
			other += 1
			continue
		establishment, problems = judge(number, dict(zip(header, fields, strict=True)))
		if problems:
			rejected.extend(problems)
			continue
		if establishment is None:
			not_taken += 1
			continue
		if establishment.urn in seen:
			message = _("URN {0} is already on row {1}")
			args = (establishment.urn, seen[establishment.urn])
			rejected.append(
				Rejection(
					number, establishment.urn, URN, message.format(*args), [problem(URN, message, *args)]
				)
			)
			continue
		seen[establishment.urn] = number
		taken.append(establishment)
	return taken, rejected, not_taken, other


# ---- a record a person may have edited -------------------------------------------------------------
@dataclass
class Merge:
	write: dict  # field -> value to write
	kept: dict  # field -> (the user's value, GIAS's value): edited by hand, left alone, reported
	imported: dict  # what GIAS said, field by field: stored as the record's last imported values


def _same(a, b) -> bool:
	return (a or "") == (b or "")


def merge(current: dict, last_imported: dict | None, gias: dict, name_field: str, urn: str = "") -> Merge:
	"""Field by field: GIAS's value is written where the record still holds what the last import wrote
	(or nothing); a value a person has changed since (or entered before any import) is kept and
	reported. The name field names the record, so it is never written once set; a name GIAS gives
	differently (a school renamed) is reported, the "Name (URN)" given to a second school of one name
	is not."""
	last = last_imported or {}
	write, kept = {}, {}
	for f, new in gias.items():
		have = current.get(f)
		if _same(have, new):
			continue
		if f == name_field:
			if have != unique_name(new or "", urn, {new}):
				kept[f] = (have, new)
			continue
		if not (have or "") or (f in last and _same(have, last[f])):
			write[f] = new
		else:
			kept[f] = (have, new)
	return Merge(write, kept, dict(gias))


def unique_name(name: str, urn: str, taken: set[str]) -> str:
	"""A School's / AP Provider's name is its record's name, and GIAS has many schools of one name
	("St Mary's Catholic Primary School"): the second is "<name> (<URN>)"."""
	if name not in taken:
		return name
	suffix = f" ({urn})"
	return name[: 140 - len(suffix)] + suffix

"""Files shaped exactly like the DfE's GIAS "all establishment data" extract, made in the test.

The real file, edubasealldata<YYYYMMDD>.csv from get-information-schools.service.gov.uk/Downloads, as
public code that reads it has it:
- the header, its 139 columns in this order: MastodonC/witan.gias src/witan/gias.clj (the column table
  of edubasealldata20240717.csv: "RSCRegion (name)" not in that file; "FSM" and
  "AccreditationExpiryDate" at the end) and the same names in the same order, from "URN" to
  "LSOA (code)", in the header DFE-Digital's register-trainee-teachers tests paste from a real file
  (spec for schools_data:import, with "CensusAreaStatisticWard (name)" and "RSCRegion (name)" of an
  older release);
- quoting: every field quoted, empty ones as "", except the numbers URN, StatutoryLowAge,
  StatutoryHighAge, SchoolCapacity, UKPRN, Easting, Northing, SENStat, SENNoStat (the same real rows);
- dates DD-MM-YYYY (witan.gias parses every date column with "dd-MM-uuuu"; the real rows above);
- encoding Windows-1252: readers decode it as cp1252 / ISO-8859-1 (a pandas reader of
  edubasealldata20260615.csv with encoding="cp1252"; a Makefile that runs iconv -f ISO8859-1 on the
  download; a Rails spec reading its GIAS fixture "r:iso-8859-1:UTF-8"). The curly apostrophe of
  "St Mary’s" is byte 0x92, which ISO-8859-1 lacks, so cp1252 it is.
- line ending: CRLF here (the file is made on Windows; not confirmed from a source), and the import
  reads either (tests cover both).
- type and group names: MastodonC/witan.gias data/edubasealldata20250109-establishment-types.csv.

Nothing here imports frappe: the unit and integration layers both use it.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HEADER = (
	'"URN","LA (code)","LA (name)","EstablishmentNumber","EstablishmentName","TypeOfEstablishment (code)",'
	'"TypeOfEstablishment (name)","EstablishmentTypeGroup (code)","EstablishmentTypeGroup (name)",'
	'"EstablishmentStatus (code)","EstablishmentStatus (name)","ReasonEstablishmentOpened (code)",'
	'"ReasonEstablishmentOpened (name)","OpenDate","ReasonEstablishmentClosed (code)",'
	'"ReasonEstablishmentClosed (name)","CloseDate","PhaseOfEducation (code)","PhaseOfEducation (name)",'
	'"StatutoryLowAge","StatutoryHighAge","Boarders (code)","Boarders (name)","NurseryProvision (name)",'
	'"OfficialSixthForm (code)","OfficialSixthForm (name)","Gender (code)","Gender (name)",'
	'"ReligiousCharacter (code)","ReligiousCharacter (name)","ReligiousEthos (name)","Diocese (code)",'
	'"Diocese (name)","AdmissionsPolicy (code)","AdmissionsPolicy (name)","SchoolCapacity",'
	'"SpecialClasses (code)","SpecialClasses (name)","CensusDate","NumberOfPupils","NumberOfBoys",'
	'"NumberOfGirls","PercentageFSM","TrustSchoolFlag (code)","TrustSchoolFlag (name)","Trusts (code)",'
	'"Trusts (name)","SchoolSponsorFlag (name)","SchoolSponsors (name)","FederationFlag (name)",'
	'"Federations (code)","Federations (name)","UKPRN","FEHEIdentifier","FurtherEducationType (name)",'
	'"OfstedLastInsp","OfstedSpecialMeasures (code)","OfstedSpecialMeasures (name)","LastChangedDate",'
	'"Street","Locality","Address3","Town","County (name)","Postcode","SchoolWebsite","TelephoneNum",'
	'"HeadTitle (name)","HeadFirstName","HeadLastName","HeadPreferredJobTitle",'
	'"BSOInspectorateName (name)","InspectorateReport","DateOfLastInspectionVisit","NextInspectionVisit",'
	'"TeenMoth (name)","TeenMothPlaces","CCF (name)","SENPRU (name)","EBD (name)","PlacesPRU",'
	'"FTProv (name)","EdByOther (name)","Section41Approved (name)","SEN1 (name)","SEN2 (name)",'
	'"SEN3 (name)","SEN4 (name)","SEN5 (name)","SEN6 (name)","SEN7 (name)","SEN8 (name)","SEN9 (name)",'
	'"SEN10 (name)","SEN11 (name)","SEN12 (name)","SEN13 (name)","TypeOfResourcedProvision (name)",'
	'"ResourcedProvisionOnRoll","ResourcedProvisionCapacity","SenUnitOnRoll","SenUnitCapacity",'
	'"GOR (code)","GOR (name)","DistrictAdministrative (code)","DistrictAdministrative (name)",'
	'"AdministrativeWard (code)","AdministrativeWard (name)","ParliamentaryConstituency (code)",'
	'"ParliamentaryConstituency (name)","UrbanRural (code)","UrbanRural (name)","GSSLACode (name)",'
	'"Easting","Northing","MSOA (name)","LSOA (name)","InspectorateName (name)","SENStat","SENNoStat",'
	'"BoardingEstablishment (name)","PropsName","PreviousLA (code)","PreviousLA (name)",'
	'"PreviousEstablishmentNumber","OfstedRating (name)","Country (name)","UPRN","SiteName",'
	'"QABName (code)","QABName (name)","EstablishmentAccredited (code)","EstablishmentAccredited (name)",'
	'"QABReport","CHNumber","MSOA (code)","LSOA (code)","FSM","AccreditationExpiryDate"'
)
COLUMNS = next(csv.reader([HEADER]))
UNQUOTED = {
	"URN",
	"StatutoryLowAge",
	"StatutoryHighAge",
	"SchoolCapacity",
	"UKPRN",
	"Easting",
	"Northing",
	"SENStat",
	"SENNoStat",
}

# (code, name, group code, group name): what GIAS publishes for each type used here
TYPES = {
	"Community school": ("01", "4", "Local authority maintained schools"),
	"Voluntary aided school": ("02", "4", "Local authority maintained schools"),
	"Academy converter": ("34", "10", "Academies"),
	"Academy sponsor led": ("28", "10", "Academies"),
	"Free schools": ("35", "11", "Free Schools"),
	"Pupil referral unit": ("14", "4", "Local authority maintained schools"),
	"Academy alternative provision converter": ("42", "10", "Academies"),
	"Academy alternative provision sponsor led": ("43", "10", "Academies"),
	"Free schools alternative provision": ("38", "11", "Free Schools"),
	"Academy special converter": ("44", "10", "Academies"),
	"Community special school": ("07", "5", "Special schools"),
	"Other independent school": ("11", "3", "Independent schools"),
	"Other independent special school": ("10", "5", "Special schools"),
	"Further education": ("18", "1", "Colleges"),
	"Welsh establishment": ("30", "6", "Welsh schools"),
}
# What the import should make of each (the fixture's own statement of the expectation)
EXPECTED_STATUS = {
	"Pupil referral unit": "PRU",
	"Academy alternative provision converter": "AP Academy",
	"Academy alternative provision sponsor led": "AP Academy",
	"Free schools alternative provision": "AP Free School",
	"Academy special converter": "Special School",
	"Community special school": "Special School",
	"Other independent school": "Independent School",
	"Other independent special school": "Independent School",
}
MAINSTREAM = ("Community school", "Voluntary aided school", "Academy converter", "Academy sponsor led")
MAINSTREAM += ("Free schools",)
OTHER = ("Further education",)
STATUS_CODES = {"Open": "1", "Closed": "2", "Open, but proposed to close": "3", "Proposed to open": "4"}
LAS = {"873": "Cambridgeshire", "874": "Peterborough", "881": "Essex", "201": "City of London"}
NAMES = (
	"St Mary\u2019s Church of England Primary School",  # a curly apostrophe: cp1252 byte 0x92
	"St Mary's Catholic Primary School",
	"Ysgol Gymraeg Bro Môn",
	"Brampton Village Primary School",
	"The Café Academy \u2013 Ely",  # an en dash: cp1252 byte 0x96
	"Hartford Junior School",
)


def record(urn: int | str, la: str = "873", type_name: str = "Community school", **over) -> dict:
	"""One establishment as GIAS writes it: every column, realistic values; `over` sets columns by name."""
	code, group_code, group = TYPES.get(type_name, ("99", "9", "Other types"))
	digits = int("0" + "".join(ch for ch in str(urn) if ch.isdigit()))
	status = over.pop("status", "Open")
	closed = status == "Closed"
	r = {c: "" for c in COLUMNS}
	r.update(
		{
			"URN": str(urn),
			"LA (code)": la,
			"LA (name)": LAS.get(la, "Isle of Anglesey"),
			"EstablishmentNumber": f"{digits % 10000 % 7000 + 2000:04d}",
			"EstablishmentName": f"School {urn}",
			"TypeOfEstablishment (code)": code,
			"TypeOfEstablishment (name)": type_name,
			"EstablishmentTypeGroup (code)": group_code,
			"EstablishmentTypeGroup (name)": group,
			"EstablishmentStatus (code)": STATUS_CODES.get(status, "9"),
			"EstablishmentStatus (name)": status,
			"ReasonEstablishmentOpened (code)": "00",
			"ReasonEstablishmentOpened (name)": "Not applicable",
			"OpenDate": "01-09-2012",
			"ReasonEstablishmentClosed (code)": "11" if closed else "00",
			"ReasonEstablishmentClosed (name)": "Academy converter" if closed else "Not applicable",
			"CloseDate": "31-08-2024" if closed else "",
			"PhaseOfEducation (code)": "2",
			"PhaseOfEducation (name)": "Primary",
			"StatutoryLowAge": "4",
			"StatutoryHighAge": "11",
			"Boarders (code)": "1",
			"Boarders (name)": "No boarders",
			"NurseryProvision (name)": "No Nursery Classes",
			"OfficialSixthForm (code)": "2",
			"OfficialSixthForm (name)": "Does not have a sixth form",
			"Gender (code)": "3",
			"Gender (name)": "Mixed",
			"ReligiousCharacter (code)": "00",
			"ReligiousCharacter (name)": "Does not apply",
			"ReligiousEthos (name)": "Does not apply",
			"Diocese (code)": "0000",
			"Diocese (name)": "Not applicable",
			"AdmissionsPolicy (code)": "0",
			"AdmissionsPolicy (name)": "Not applicable",
			"SchoolCapacity": "210",
			"SpecialClasses (code)": "2",
			"SpecialClasses (name)": "No Special Classes",
			"CensusDate": "16-01-2025",
			"NumberOfPupils": "198",
			"NumberOfBoys": "101",
			"NumberOfGirls": "97",
			"PercentageFSM": "12.6",
			"TrustSchoolFlag (code)": "0",
			"TrustSchoolFlag (name)": "Not applicable",
			"SchoolSponsorFlag (name)": "Not applicable",
			"FederationFlag (name)": "Not under a federation",
			"UKPRN": f"1{digits % 10_000_000:07d}",
			"FurtherEducationType (name)": "Not applicable",
			"OfstedLastInsp": "19-04-2023",
			"OfstedSpecialMeasures (code)": "0",
			"OfstedSpecialMeasures (name)": "Not applicable",
			"LastChangedDate": "04-02-2025",
			"Street": "High Street",
			"Locality": "Brampton",
			"Town": "Huntingdon",
			"County (name)": "Cambridgeshire",
			"Postcode": "PE28 4RF",
			"SchoolWebsite": f"www.school{urn}.example.org",
			"TelephoneNum": "01480375000",
			"HeadTitle (name)": "Mrs",
			"HeadFirstName": "Siân",
			"HeadLastName": "O\u2019Neill",
			"HeadPreferredJobTitle": "Headteacher",
			"BSOInspectorateName (name)": "Not applicable",
			"TeenMoth (name)": "Not applicable",
			"CCF (name)": "Not applicable",
			"SENPRU (name)": "Not applicable",
			"EBD (name)": "Not applicable",
			"EdByOther (name)": "Not applicable",
			"Section41Approved (name)": "Not applicable",
			"GOR (code)": "E",
			"GOR (name)": "East of England",
			"UrbanRural (code)": "D1",
			"UrbanRural (name)": "(England/Wales) Rural town and fringe",
			"Easting": "521000",
			"Northing": "270500",
			"Country (name)": "",
			"UPRN": "100090000000",
			"QABName (code)": "0",
			"QABName (name)": "Not applicable",
			"EstablishmentAccredited (code)": "0",
			"EstablishmentAccredited (name)": "Not applicable",
			"MSOA (code)": "E02003730",
			"LSOA (code)": "E01017989",
			"FSM": "25",
		}
	)
	if type_name in EXPECTED_STATUS:
		r["PhaseOfEducation (code)"], r["PhaseOfEducation (name)"] = "0", "Not applicable"
	if type_name.startswith("Academy") or type_name.startswith("Free schools"):
		r["Trusts (code)"], r["Trusts (name)"] = "16754", "The Meridian Trust"
		r["TrustSchoolFlag (code)"], r["TrustSchoolFlag (name)"] = "3", "Supported by a multi-academy trust"
	r.update(over)
	return r


def realistic(rows: int = 3000, seed: int = 20250109, base: int = 100000) -> list[dict]:
	"""`rows` establishments across four LAs and Wales: mainstream schools, every AP and special type,
	independent schools, colleges; one in nine closed; names repeated and non-ASCII; a fixed seed."""
	rng = random.Random(seed)
	kinds = MAINSTREAM * 6 + tuple(EXPECTED_STATUS) + OTHER
	out = []
	for i in range(rows):
		urn = base + i * 7
		la = ("873", "874", "881", "201")[i % 4]
		type_name = kinds[rng.randrange(len(kinds))]
		if i % 97 == 5:
			la, type_name = "660", "Welsh establishment"
		name = (
			f"{NAMES[i % len(NAMES)]}" if i % 5 == 0 else f"{rng.choice(('Oak', 'Ash', 'Elm'))} {urn} School"
		)
		status = "Closed" if i % 9 == 4 else ("Open, but proposed to close" if i % 50 == 7 else "Open")
		out.append(record(urn, la, type_name, EstablishmentName=name, status=status))
	return out


def to_bytes(records: list[dict], line_ending: str = "\r\n", encoding: str = "cp1252") -> bytes:
	"""The file's bytes, quoted as GIAS quotes: every field but the numbers, empty fields as ""."""
	buf = io.StringIO(newline="")
	buf.write(HEADER + line_ending)
	for r in records:
		cells = []
		for c in COLUMNS:
			value = r.get(c, "")
			numeric = c in UNQUOTED and value.isdigit()
			cells.append(value if numeric else '"' + value.replace('"', '""') + '"')
		buf.write(",".join(cells) + line_ending)
	return buf.getvalue().encode(encoding)


def write(path: Path, records: list[dict], **kw) -> Path:
	path.write_bytes(to_bytes(records, **kw))
	return path

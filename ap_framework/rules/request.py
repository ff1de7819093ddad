"""The shape of what a request posts to a whitelisted method: type, size and format, nothing more.

A form posts strings; a JSON body can post any JSON type in any argument; a client can post nothing
at all, or a megabyte. Each check below takes one posted value and answers (value, problems): the value
in the form the method works with (a date, a list of row dicts, an int), or problems naming the field.
Meaning (is the mark a DfE code, does the placement exist) stays with the domain rules and the method.

A check is a small object built once per argument, e.g. `rows({"placement": name(required=True)})`,
and `check_all` runs a whole request's checks so every problem is reported at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date

from ap_framework.rules import Problem, _, problem

KIND = "malformed"
MAX_NAME = 140  # a record's name, a link, a short label (Frappe's Data / Link length)
MAX_TEXT = 10_000  # free text a person types into a portal form
MAX_JSON = 1_000_000  # characters of a JSON argument, refused before it is parsed
MAX_ROWS = 500  # rows of a list argument (a register, the scores of an assessment)
MAX_INT = 2**31 - 1  # Frappe's Int column
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d{1,12}")
# Characters no column can store (lone UTF-16 surrogates) or that end C strings (NUL).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

Check = Callable[[str, object], tuple[object, list[Problem]]]


def _missing(value) -> bool:
	return value is None or (isinstance(value, str) and not value.strip())


def _phrase(message: str) -> Problem:
	"""A phrase shown inside another message, translated with it (Problem.render renders it in turn)."""
	return Problem("", message)


def _kind_of(value) -> Problem:
	"""What was posted instead, in words."""
	if isinstance(value, bool):
		return _phrase(_("true or false"))
	if isinstance(value, int | float):
		return _phrase(_("a number"))
	if isinstance(value, list):
		return _phrase(_("a list"))
	if isinstance(value, dict):
		return _phrase(_("an object"))
	if isinstance(value, str):
		return _phrase(_("text"))
	return _phrase(_("something else"))


def _required(field: str) -> tuple[None, list[Problem]]:
	return None, [problem(field, _("Is required"), kind=KIND)]


def _wrong(field: str, expected: str, value) -> tuple[None, list[Problem]]:
	return None, [problem(field, expected, _kind_of(value), kind=KIND)]


def _text(field: str, value, max_length: int, required: bool) -> tuple[str | None, list[Problem]]:
	if _missing(value):
		return _required(field) if required else (None, [])
	if not isinstance(value, str):
		return _wrong(field, _("Must be text, not {0}"), value)
	if len(value) > max_length:
		return None, [problem(field, _("Must be at most {0} characters"), max_length, kind=KIND)]
	if _UNSTORABLE.search(value):
		return None, [problem(field, _("Contains characters that cannot be stored"), kind=KIND)]
	return value, []


class name:
	"""A record's name (a placement, a pupil, a school, a file URL): one short string, as posted."""

	def __init__(self, required: bool = False, max_length: int = MAX_NAME):
		self.required, self.max_length = required, max_length

	def __call__(self, field: str, value):
		return _text(field, value, self.max_length, self.required)


class text:
	"""Free text a person typed; empty is None."""

	def __init__(self, required: bool = False, max_length: int = MAX_TEXT):
		self.required, self.max_length = required, max_length

	def __call__(self, field: str, value):
		return _text(field, value, self.max_length, self.required)


class choice:
	"""One of a fixed list of options."""

	def __init__(self, options, required: bool = False):
		self.options, self.required = tuple(options), required

	def __call__(self, field: str, value):
		value, problems = _text(field, value, MAX_NAME, self.required)
		if problems or value is None:
			return value, problems
		if value not in self.options:
			return None, [problem(field, _("Must be one of {0}"), ", ".join(self.options), kind=KIND)]
		return value, []


class flag:
	"""A check box: 0 or 1 (a form posts "0" / "1", a JSON body may post true / false); empty is 0."""

	TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

	def __call__(self, field: str, value):
		if value is None or value == "":
			return 0, []
		if isinstance(value, bool) or value in (0, 1):
			return int(value), []
		if isinstance(value, str) and value.strip().lower() in self.TRUE + self.FALSE:
			return int(value.strip().lower() in self.TRUE), []
		return _wrong(field, _("Must be 0 or 1, not {0}"), value)


class integer:
	"""A whole number within bounds (a form posts digits; a JSON body a number); empty is None."""

	def __init__(self, minimum: int = -MAX_INT, maximum: int = MAX_INT, required: bool = False):
		self.minimum, self.maximum, self.required = minimum, maximum, required

	def __call__(self, field: str, value):
		if _missing(value):
			return _required(field) if self.required else (None, [])
		if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
			number = int(value.strip())
		elif isinstance(value, int) and not isinstance(value, bool):
			number = value
		elif isinstance(value, float) and value.is_integer():
			number = int(value)
		else:
			return None, [problem(field, _("Must be a whole number"), kind=KIND)]
		if not self.minimum <= number <= self.maximum:
			return None, [
				problem(field, _("Must be between {0} and {1}"), self.minimum, self.maximum, kind=KIND)
			]
		return number, []


class day:
	"""A date as a form posts it, YYYY-MM-DD, in a plausible range; empty is None."""

	def __init__(self, required: bool = False):
		self.required = required

	def __call__(self, field: str, value):
		if _missing(value):
			return _required(field) if self.required else (None, [])
		if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
			return None, [problem(field, _("Must be a date written YYYY-MM-DD"), kind=KIND)]
		try:
			parsed = date.fromisoformat(value.strip())
		except ValueError:
			return None, [problem(field, _("{0} is not a date"), value.strip(), kind=KIND)]
		if not EARLIEST <= parsed <= LATEST:
			return None, [problem(field, _("Must be between {0} and {1}"), EARLIEST, LATEST, kind=KIND)]
		return parsed, []


class matching:
	"""A short code that must look like `example` (the regular expression `pattern`); empty is None."""

	def __init__(self, pattern: str, example: str, required: bool = False):
		self.pattern, self.example, self.required = re.compile(pattern), example, required

	def __call__(self, field: str, value):
		value, problems = _text(field, value, MAX_NAME, self.required)
		if problems or value is None:
			return value, problems
		if not self.pattern.fullmatch(value.strip()):
			return None, [problem(field, _("Must look like {0}"), self.example, kind=KIND)]
		return value.strip(), []


def parse_json(field: str, value, max_length: int = MAX_JSON) -> tuple[object, list[Problem]]:
	"""A JSON argument as posted: a string of JSON from a form, or already a value from a JSON body."""
	if not isinstance(value, str):
		return value, []
	if len(value) > max_length:
		return None, [problem(field, _("Must be at most {0} characters"), max_length, kind=KIND)]
	try:
		return json.loads(value), []
	except (ValueError, RecursionError):
		return None, [problem(field, _("Is not valid JSON"), kind=KIND)]


class rows:
	"""A list of records (a JSON list of objects), each key checked by its own check; keys not named
	are dropped, as Frappe drops arguments a method does not declare. Empty is []."""

	def __init__(
		self,
		fields: dict[str, Check],
		labels: dict[str, str] | None = None,
		max_rows: int = MAX_ROWS,
		required: bool = False,
	):
		self.fields, self.max_rows, self.required = fields, max_rows, required
		self.labels = {key: _phrase((labels or {}).get(key, key)) for key in fields}

	def __call__(self, field: str, value):
		value, problems = (None, []) if _missing(value) else parse_json(field, value)
		if problems:
			return None, problems
		if value is None:
			return _required(field) if self.required else ([], [])
		if not isinstance(value, list):
			return _wrong(field, _("Must be a list of rows, not {0}"), value)
		if len(value) > self.max_rows:
			return None, [problem(field, _("Must have at most {0} rows"), self.max_rows, kind=KIND)]
		out = []
		for i, row in enumerate(value, 1):
			if not isinstance(row, dict):
				problems.append(
					problem(field, _("Row {0} must be an object, not {1}"), i, _kind_of(row), kind=KIND)
				)
				continue
			checked = {}
			for key, check in self.fields.items():
				checked[key], own = check(key, row.get(key))
				problems += [
					problem(field, _("Row {0}, {1}: {2}"), i, self.labels[key], p, kind=KIND) for p in own
				]
			out.append(checked)
		return (None, problems) if problems else (out, [])


class names:
	"""One name or a list of names (a form may post one name, or a JSON list of them)."""

	def __init__(self, max_rows: int = MAX_ROWS, required: bool = False):
		self.max_rows, self.required = max_rows, required

	def __call__(self, field: str, value):
		if isinstance(value, str) and value.lstrip().startswith("["):
			value, problems = parse_json(field, value)
			if problems:
				return None, problems
		if _missing(value) or value == []:
			return _required(field) if self.required else ([], [])
		if isinstance(value, str):
			value = [value]
		if not isinstance(value, list):
			return _wrong(field, _("Must be a name or a list of names, not {0}"), value)
		if len(value) > self.max_rows:
			return None, [problem(field, _("Must have at most {0} names"), self.max_rows, kind=KIND)]
		out, problems = [], []
		for i, item in enumerate(value, 1):
			checked, own = _text(field, item, MAX_NAME, True)
			problems += [problem(field, _("Name {0}: {1}"), i, p, kind=KIND) for p in own]
			out.append(checked)
		return (None, problems) if problems else (out, [])


class record:
	"""One JSON object (a form posts its JSON; a JSON body the object itself), at most max_length
	characters when posted as text. Its content is for the method's own rules to judge."""

	def __init__(self, required: bool = True, max_length: int = MAX_JSON):
		self.required, self.max_length = required, max_length

	def __call__(self, field: str, value):
		value, problems = (None, []) if _missing(value) else parse_json(field, value, self.max_length)
		if problems:
			return None, problems
		if value is None:
			return _required(field) if self.required else ({}, [])
		if not isinstance(value, dict):
			return _wrong(field, _("Must be a JSON object, not {0}"), value)
		return value, []


class document(record):
	"""A document posted whole (as the desk posts a form's doc): a JSON object whose "doctype" and "name"
	are names; the rest is for the method (and Frappe) to judge."""

	def __call__(self, field: str, value):
		value, problems = super().__call__(field, value)
		if problems or (value == {} and not self.required):
			return value, problems
		for key in ("doctype", "name"):
			_checked, own = _text(field, value.get(key), MAX_NAME, True)
			if own:
				return None, [problem(field, _("Must name the document's {0}: {1}"), key, own[0], kind=KIND)]
		return value, []


def check_all(values: dict[str, tuple[object, Check]]) -> tuple[dict, list[Problem]]:
	"""Run every argument's check: ({field: value}, every problem). Values of fields with problems are None."""
	out, problems = {}, []
	for field, (value, check) in values.items():
		out[field], own = check(field, value)
		problems += own
	return out, problems

"""Domain rules: plain functions of plain values that return the problems they find.

Nothing here imports frappe, so every rule runs (and is tested) without a site.
A controller gathers the facts, calls the rules and throws once with every problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def _(message: str) -> str:
	"""Mark a message for Frappe's translation extractor; it is translated when thrown."""
	return message


@dataclass(frozen=True)
class Problem:
	"""One thing wrong with the input: which field, what is wrong, which family of error."""

	field: str
	message: str  # English, with {0}-style placeholders; translated at throw time
	args: tuple = field(default=())
	kind: str = "invalid"

	def render(self, translate=lambda s: s) -> str:
		# A problem can carry another (a row's mark problem inside a register): render it the same way.
		args = [a.render(translate) if isinstance(a, Problem) else a for a in self.args]
		return translate(self.message).format(*args)


def problem(field_name: str, message: str, *args, kind: str = "invalid") -> Problem:
	return Problem(field_name, message, tuple(args), kind)

"""Keeping a provider's Supplier in step, one way: the provider's own facts flow to the Supplier; a value
the provider does not have never clears one finance entered, and no other field is touched."""

from __future__ import annotations

# AP Provider field -> Supplier field (the name, the VAT number, the website)
SUPPLIER_FIELDS = {"provider_name": "supplier_name", "vat_number": "tax_id", "website": "website"}
# AP Provider field -> Address field
ADDRESS_FIELDS = {
	"address_line1": "address_line1",
	"address_line2": "address_line2",
	"town": "city",
	"postcode": "pincode",
	"email": "email_id",
	"phone": "phone",
}


def updates(ours: dict, theirs: dict, mapping: dict[str, str]) -> dict:
	"""The fields of `theirs` to change so that they carry what `ours` says: only where ours has a value
	and theirs differs."""
	out = {}
	for our_field, their_field in mapping.items():
		value = (
			(ours.get(our_field) or "").strip()
			if isinstance(ours.get(our_field), str)
			else ours.get(our_field)
		)
		if value and value != (theirs.get(their_field) or ""):
			out[their_field] = value
	return out


def can_have_address(ours: dict) -> bool:
	"""ERPNext needs a first line and a town for an address."""
	return bool((ours.get("address_line1") or "").strip() and (ours.get("town") or "").strip())

frappe.query_reports["AP Value for Money"] = {
	filters: [
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: ["Provider", "School"],
			default: "Provider",
			reqd: 1,
		},
		{ fieldname: "from_date", label: __("From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To"), fieldtype: "Date" },
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school },
		{ fieldname: "provider", label: __("AP Provider"), fieldtype: "Link", options: "AP Provider" },
	],
};

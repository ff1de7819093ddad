frappe.query_reports["AP Progress"] = {
	filters: [
		{ fieldname: "view", label: __("View"), fieldtype: "Select", options: "Cohorts\nPupils", default: "Cohorts" },
		{ fieldname: "group_by", label: __("Group by"), fieldtype: "Select", options: "School\nProvider\nPlacement Type", default: "School" },
		{ fieldname: "school", label: __("School"), fieldtype: "Link", options: "School", default: frappe.boot.ap_own_school },
	],
};

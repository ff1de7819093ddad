frappe.ui.form.on("Retention Review", {
	refresh(frm) {
		const d = frm.doc;
		// Only the reviewer AP Settings names may decide, and only a pending review; the server checks again.
		if (frm.is_new() || d.status !== "Pending" || d.reviewer !== frappe.session.user) return;
		// Each dialog carries a token made when it opens: a double click on its button sends the same token,
		// and the server decides once (ap_framework/once.py).
		const call = (method, args) =>
			frappe
				.call({ method: `ap_framework.oversight.retention.${method}`, args: { review: d.name, ...args }, freeze: true })
				.then(() => frm.reload_doc());
		frm.add_custom_button(
			__("Confirm removal"),
			() => {
				const form_token = frappe.utils.get_random(32);
				frappe.prompt(
					{ fieldname: "note", fieldtype: "Small Text", label: __("Note (optional)") },
					(v) => call("confirm", { note: v.note, form_token }),
					__("Remove {0}? This cannot be undone.", [d.record_label]),
					__("Remove")
				);
			},
			__("Decide")
		);
		frm.add_custom_button(
			__("Keep (decline)"),
			() => {
				const form_token = frappe.utils.get_random(32);
				frappe.prompt(
					[
						{ fieldname: "note", fieldtype: "Small Text", label: __("Why keep it"), reqd: 1 },
						{
							fieldname: "review_again_on",
							fieldtype: "Date",
							label: __("Review again on"),
							reqd: 1,
							default: frappe.datetime.add_months(frappe.datetime.get_today(), 12),
						},
					],
					(v) => call("decline", { ...v, form_token }),
					__("Keep {0} past its retention period", [d.record_label]),
					__("Keep")
				);
			},
			__("Decide")
		);
	},
});

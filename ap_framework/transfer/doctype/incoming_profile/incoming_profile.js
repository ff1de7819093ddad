frappe.ui.form.on("Incoming Profile", {
	refresh(frm) {
		const d = frm.doc;
		// Only the person named to act on it (or an AP Administrator) may; the server checks again.
		const may = d.assigned_to === frappe.session.user || frappe.user.has_role("AP Administrator");
		if (frm.is_new() || !may) return;
		const call = (method, args) =>
			frappe.call({ method: `ap_framework.transfer.receive.${method}`, args: { name: d.name, ...args }, freeze: true }).then(() => frm.reload_doc());
		if (!d.receipt_confirmed_on) {
			frm.add_custom_button(__("Confirm receipt"), () => call("confirm_receipt"));
		}
		if (d.status === "Awaiting Acceptance") {
			// A token made when the form is shown: a double click on Accept sends it twice, and the server
			// makes one pupil (ap_framework/once.py).
			const form_token = frappe.utils.get_random(32);
			frm.add_custom_button(__("Accept"), () => call("accept", { form_token }), __("Decide"));
			frm.add_custom_button(
				__("Reject"),
				() =>
					frappe.prompt(
						{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
						(v) => call("reject", { reason: v.reason }),
						__("Reject this profile"),
						__("Reject")
					),
				__("Decide")
			);
		}
	},
});

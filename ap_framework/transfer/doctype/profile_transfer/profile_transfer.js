frappe.ui.form.on("Profile Transfer", {
	refresh(frm) {
		if (frm.is_new()) return;
		const d = frm.doc;
		// Sending runs in the background (ap_framework.transfer.delivery): queue it, then look again.
		if (d.status === "Failed" || (d.status === "Queued" && !d.sent_by)) {
			// A token made when the form is shown: Send clicked twice queues once (ap_framework/once.py).
			const form_token = frappe.utils.get_random(32);
			frm.add_custom_button(d.status === "Failed" ? __("Retry sending") : __("Send"), () =>
				frappe
					.call({ method: "ap_framework.transfer.delivery.send", args: { name: d.name, form_token }, freeze: true })
					.then(() => {
						frappe.show_alert({ message: __("Queued for sending to {0}", [d.partner]), indicator: "blue" });
						setTimeout(() => frm.reload_doc(), 5000);
					})
			).addClass("btn-primary");
		}
		if (d.status === "Queued" && d.sent_by) {
			frm.dashboard.set_headline(__("Waiting to be sent by the background worker"), "blue");
		}
		if (d.status === "Failed" && d.last_error) {
			frm.dashboard.set_headline(__("Not delivered: {0}", [frappe.utils.escape_html(d.last_error)]), "red");
		}
		const undecided = !d.remote_status || d.remote_status === "Awaiting Acceptance";
		const unconfirmed = d.channel === "Safeguarding" && !d.receipt_confirmed_on;
		if (d.status === "Sent" && (undecided || unconfirmed)) {
			frm.add_custom_button(__("Ask the partner now"), () =>
				frappe
					.call({ method: "ap_framework.transfer.follow_up.check", args: { name: d.name }, freeze: true })
					.then(() => frm.reload_doc())
			);
		}
		if (d.status === "Sent" && unconfirmed && d.receipt_due_by) {
			frm.dashboard.set_headline(__("Receipt not yet confirmed; due by {0}", [frappe.datetime.str_to_user(d.receipt_due_by)]), "orange");
		}
	},
});

// A portal form's token (rendered with the page, ap_framework/once.py) makes its submit happen once: a
// double tap, or a resend after a lost answer, gets back the record the first submit made. Once a submit
// has succeeded, the next change to the form takes a new token, so the next record is a new one.
function apNewToken() {
	const bytes = new Uint8Array(16);
	crypto.getRandomValues(bytes);
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function apFormToken(form) {
	const input = form.querySelector('input[name="form_token"]');
	const renew = (event) => {
		if (event.target !== input && input.dataset.used) { input.value = apNewToken(); delete input.dataset.used; }
	};
	form.addEventListener("input", renew);
	form.addEventListener("change", renew);
	return { value: () => input.value, used: () => { input.dataset.used = "1"; } };
}

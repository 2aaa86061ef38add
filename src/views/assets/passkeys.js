/*
 * Passkey ceremonies for Portcullis pages, served from the issuer's own origin after
 * @simplewebauthn/browser (window.SimpleWebAuthnBrowser). Each `form.passkey` names where to ask
 * for options (data-options) and which ceremony to run (data-ceremony); the answer goes into the
 * form's `response` field and the form is submitted as rendered, so the server answers it like
 * any other form. Forms stay hidden where WebAuthn is missing. `data-autofill` also offers the
 * person's passkeys in the username field's autofill (conditional UI) where the browser can.
 */
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib?.browserSupportsWebAuthn()) return;

  const messages = {
    NotAllowedError: 'The passkey request was cancelled or timed out. Try again.',
    InvalidStateError: 'This passkey is already registered.',
    SecurityError: 'This page’s address does not match the passkey settings of the server.',
  };

  async function optionsFor(form) {
    const answer = await fetch(form.dataset.options, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ csrf: form.elements.csrf.value }),
    });
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(body.error_description || 'The server refused the passkey request.');
    return body.options;
  }

  function showError(form, error) {
    const box = form.querySelector('.passkey-error');
    if (!box) return;
    box.textContent = messages[error?.name] || error?.message || 'The passkey request failed.';
    box.hidden = false;
  }

  // Once the person presses a button, a conditional request still fetching its options must not start (it would cancel theirs).
  let pressed = false;

  async function run(form, autofill) {
    const optionsJSON = await optionsFor(form);
    if (autofill && pressed) return;
    const answer =
      form.dataset.ceremony === 'register'
        ? await lib.startRegistration({ optionsJSON })
        : await lib.startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
    form.elements.response.value = JSON.stringify(answer);
    // HTMLFormElement.submit: the form's own fields to its own action, without re-entering the handler below.
    HTMLFormElement.prototype.submit.call(form);
  }

  for (const form of document.querySelectorAll('form.passkey')) {
    form.hidden = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      pressed = true;
      run(form, false).catch((error) => showError(form, error));
    });
    if (form.dataset.autofill === 'true' && typeof lib.browserSupportsWebAuthnAutofill === 'function') {
      lib
        .browserSupportsWebAuthnAutofill()
        .then((supported) => (supported ? run(form, true) : undefined))
        // A conditional request is cancelled whenever the button starts a modal one: nothing to show.
        .catch(() => undefined);
    }
  }
})();

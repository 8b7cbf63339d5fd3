// Passkeys: hand the server's options to the browser's WebAuthn call, then send its answer in the
// page's ordinary form (with its CSRF token). Without WebAuthn the form stays hidden and a note says so.
"use strict";

(function () {
  function fromBase64url(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  }

  function toBase64url(buffer) {
    let text = "";
    new Uint8Array(buffer).forEach((byte) => { text += String.fromCharCode(byte); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map((item) => Object.assign({}, item, { id: fromBase64url(item.id) }));
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: fromBase64url(options.challenge),
      user: Object.assign({}, options.user, { id: fromBase64url(options.user.id) }),
      excludeCredentials: withIds(options.excludeCredentials),
    });
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: fromBase64url(options.challenge),
      allowCredentials: withIds(options.allowCredentials),
    });
  }

  function answer(credential) {
    const response = {};
    ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"].forEach((name) => {
      if (credential.response[name]) { response[name] = toBase64url(credential.response[name]); }
    });
    if (credential.response.getTransports) { response.transports = credential.response.getTransports(); }
    return JSON.stringify({
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach((form) => {
    const status = form.querySelector(".passkey-status");
    if (!window.PublicKeyCredential || !window.isSecureContext) {
      const note = document.getElementById(form.dataset.unsupported);
      if (note) { note.hidden = false; }
      return;
    }
    form.hidden = false;
    const button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (button.disabled) { return; }  // one request at a time: a second would be refused
      button.disabled = true;
      const options = JSON.parse(form.dataset.options);
      status.textContent = "Follow what your browser or device asks…";
      try {
        const credential = form.dataset.passkey === "create"
          ? await navigator.credentials.create({ publicKey: creationOptions(options) })
          : await navigator.credentials.get({ publicKey: requestOptions(options) });
        form.querySelector("input[name=credential]").value = answer(credential);
        status.textContent = "Checking…";
        form.submit();
      } catch (err) {
        button.disabled = false;
        if (err && err.name === "InvalidStateError" && form.dataset.passkey === "create") {
          status.textContent = "This device already keeps a passkey for your refcheck account.";
        } else {
          status.textContent = "No passkey was used: it was cancelled, took too long, or this device has none " +
            "for refcheck. You can try again" + (form.dataset.passkey === "create" ? "." : ", or type a code instead.");
        }
      }
    });
  });
})();

// ODK Web Forms on an Aigak page: the XForm comes from the page, the filled instance and
// its files go to the OpenRosa submission endpoint with the session, as ODK Collect sends
// them. The X-OpenRosa-Version header is what the endpoint asks of a page's own script
// (a cross-site page cannot send it), and Django's CSRF token goes with it.
import { createApp, h } from "vue";
import {
  OdkWebForm,
  POST_SUBMIT__NEW_INSTANCE,
  webFormsPlugin,
} from "./vendor/web-forms/index.js";

const root = document.getElementById("web-form");
const status = document.getElementById("web-form-status");
const formXml = JSON.parse(document.getElementById("xform").textContent);

function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
}

function responseMessage(text) {
  const xml = new DOMParser().parseFromString(text, "application/xml");
  const message = xml.getElementsByTagNameNS("*", "message")[0];
  return message ? message.textContent.trim() : "";
}

// Form media (choice images, CSV) by file name, from the form's OpenRosa media address.
function fetchFormAttachment(url) {
  const name = String(url.href || url).split("/").pop();
  return fetch(root.dataset.mediaUrl + encodeURIComponent(name), {
    credentials: "same-origin",
    headers: { "X-OpenRosa-Version": "1.0" },
  });
}

async function submit(payload, done) {
  status.className = "";
  status.textContent = status.dataset.sending;
  try {
    const response = await fetch(root.dataset.submitUrl, {
      method: "POST",
      body: payload.data[0],
      credentials: "same-origin",
      headers: { "X-OpenRosa-Version": "1.0", "X-CSRFToken": csrfToken() },
    });
    const message = responseMessage(await response.text());
    if (response.status === 201 || response.status === 202) {
      status.className = "success";
      status.textContent = message;
      done({ next: POST_SUBMIT__NEW_INSTANCE });
      return;
    }
    status.className = "error";
    status.textContent = `${status.dataset.failed} ${message || response.status}`;
  } catch (error) {
    status.className = "error";
    status.textContent = `${status.dataset.failed} ${error}`;
  }
  done({});
}

createApp({
  render: () =>
    h(OdkWebForm, {
      formXml,
      fetchFormAttachment,
      missingResourceBehavior: "BLANK",
      onSubmit: submit,
    }),
})
  .use(webFormsPlugin)
  .mount(root);

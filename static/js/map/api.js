// Calls to Observo's API with the browser session: the CSRF token on writes, the page's language
// for problem titles, the ETag kept for If-Match. Never throws on an HTTP error: returns it.
// `X-Requested-With` proves the call comes from Observo's own page where the browser sends no Fetch
// Metadata (docs/security.md, "Cross-site requests"): the API refuses a session without a proof.
import { _ } from "../i18n.js";

export function createApi(csrfToken, lang) {
  async function call(method, url, { body, etag, signal } = {}) {
    const headers = {
      Accept: "application/geo+json, application/json", "Accept-Language": lang, "X-Requested-With": "observo",
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
    if (etag) headers["If-Match"] = etag;
    let response;
    try {
      response = await fetch(url, {
        method, headers, signal, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      return { ok: false, status: 0, data: null, problem: { title: _("The server cannot be reached.") } };
    }
    const data = await readBody(response);
    return {
      ok: response.ok, status: response.status, etag: response.headers.get("ETag"),
      data: response.ok ? data : null, problem: response.ok ? null : data || {},
    };
  }
  return {
    get: (url, options) => call("GET", url, options),
    post: (url, body, options) => call("POST", url, { ...options, body }),
    patch: (url, body, etag) => call("PATCH", url, { body, etag }),
  };
}

async function readBody(response) {
  const type = response.headers.get("Content-Type") || "";
  if (response.status === 204 || !type.includes("json")) return null;
  try {
    return await response.json();
  } catch (error) {
    if (error?.name === "AbortError") throw error; // a cancelled load is not an empty answer
    return null;
  }
}

export function withParams(url, params) {
  const target = new URL(url, window.location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(name, value);
  }
  return target.pathname + target.search;
}

// A field's message in the reader's language from the problem's stable code (the API's own
// `detail` stays available, in English, as a hint).
const FIELD_MESSAGES = {
  required: () => _("This field is required."),
  out_of_range: () => _("The value is out of the allowed range."),
  invalid_choice: () => _("Choose one of the listed values."),
  invalid_length: () => _("The text is too long or too short."),
  invalid_format: () => _("The format is not valid."),
  invalid_type: () => _("The value is not of the right kind."),
  not_finite: () => _("Enter a finite number."),
  read_only: () => _("This field is set by the server."),
  too_large: () => _("The value is too large."),
};

export function fieldMessage(issue) {
  const message = FIELD_MESSAGES[issue.code];
  return message ? message() : issue.detail || _("The value is not valid.");
}

export function problemText(problem) {
  return [problem?.title, problem?.detail].filter(Boolean).join(": ") || _("Unexpected error.");
}

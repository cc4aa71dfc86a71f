// api.js - the one module that talks to the REST API: it owns the token
// (sessionStorage, never in a URL), the error shape and the paging.
const KEY = "branchgate.token";
const RN = "/networkAccess/connectivity/remoteNetworks";

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || "HTTP " + status);
    this.status = status;
    this.code = e.code || "";
    this.target = e.target || "";
    this.details = Array.isArray(e.details) ? e.details : [];
  }
  // field path ("bgpConfiguration.asn") -> message, inline links stripped
  fields() {
    const m = {};
    const list = this.details.length ? this.details : [{ target: this.target, message: this.message }];
    for (const d of list) {
      if (!d.target) continue;
      const t = d.target.replace(/^deviceLinks\[\d+\]\./, "");
      if (!(t in m)) m[t] = d.message;
    }
    return m;
  }
}

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

let onUnauthorized = () => {};
export function setUnauthorizedHandler(f) { onUnauthorized = f; }

async function call(method, path, body, opts = {}) {
  const headers = { Authorization: "Bearer " + (opts.token || token.get() || "") };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  const text = await r.text();
  if (!r.ok) {
    let j = null;
    try { j = JSON.parse(text); } catch (_) { /* not JSON */ }
    const err = new ApiError(r.status, j);
    if (r.status === 401 && !opts.token) onUnauthorized(err);
    throw err;
  }
  if (opts.text) return text;
  return text ? JSON.parse(text) : null;
}

// Server paging: follow @odata.nextLink (same origin, path only).
function rel(link) { const u = new URL(link, location.href); return u.pathname + u.search; }

export const api = {
  check: (t) => call("GET", RN + "?$select=id", undefined, { token: t }),
  listNetworks: () => call("GET", RN + "?$expand=deviceLinks,forwardingProfiles").then((j) => j.value),
  getNetwork: (id) => call("GET", RN + "/" + id + "?$expand=deviceLinks,forwardingProfiles"),
  createNetwork: (b) => call("POST", RN, b),
  renameNetwork: (id, name) => call("PATCH", RN + "/" + id, { name }),
  deleteNetwork: (id) => call("DELETE", RN + "/" + id),
  updateLink: (id, lid, b) => call("PATCH", RN + "/" + id + "/deviceLinks/" + lid, b),
  deleteLink: (id, lid) => call("DELETE", RN + "/" + id + "/deviceLinks/" + lid),
  linkStatus: (id, lid) => call("GET", RN + "/" + id + "/deviceLinks/" + lid + "/status"),
  linkRoutes: (id, lid) => call("GET", RN + "/" + id + "/deviceLinks/" + lid + "/routes").then((j) => j.value),
  connectivity: (id) => call("GET", RN + "/" + id + "/connectivityConfiguration"),
  cpe: (id, lid, format) => call("GET", RN + "/" + id + "/deviceLinks/" + lid + "/cpeConfiguration?format=" + encodeURIComponent(format), undefined, { text: true }),
  profiles: () => call("GET", "/networkAccess/forwardingProfiles").then((j) => j.value),
  setProfiles: (id, add, remove) => call("PATCH", RN + "/" + id + "/forwardingProfiles", {
    "@odata.context": "#$delta",
    value: add.map((p) => ({ id: p })).concat(remove.map((p) => ({ id: p, "@removed": {} }))),
  }),
  logs: (q, next) => call("GET", next ? rel(next) : "/networkAccess/logs/remoteNetworks?" + q),
};

// Security policy (docs/api.md "Security policy") and traffic logs.
const NA = "#microsoft.graph.networkaccess.";
const FPOL = "/networkAccess/filteringPolicies";
const FW = "/networkAccess/cloudFirewallPolicies";
const FPROF = "/networkAccess/filteringProfiles";
export const policyApi = {
  listPolicies: () => call("GET", FPOL + "?$expand=policyRules").then((j) => j.value),
  createPolicy: (name, action) => call("POST", FPOL, { name, action }),
  deletePolicy: (id) => call("DELETE", FPOL + "/" + id),
  addRule: (pid, rule) => call("POST", FPOL + "/" + pid + "/policyRules", rule),
  deleteRule: (pid, rid) => call("DELETE", FPOL + "/" + pid + "/policyRules/" + rid),
  webCategories: () => call("GET", "/networkAccess/connectivity/webCategories").then((j) => j.value),
  baseline: () => call("GET", FPROF + "?$expand=policies").then((j) => j.value.find((p) => p.priority === 65000) || null),
  link: (prof, body) => call("POST", FPROF + "/" + prof + "/policies", body),
  updateLink: (prof, lid, b) => call("PATCH", FPROF + "/" + prof + "/policies/" + lid, b),
  unlink: (prof, lid) => call("DELETE", FPROF + "/" + prof + "/policies/" + lid),
  createFirewall: (name) => call("POST", FW, { "@odata.type": NA + "cloudFirewallPolicy", name }),
  firewallRules: (fid) => call("GET", FW + "/" + fid + "/policyRules").then((j) => j.value),
  addFirewallRule: (fid, b) => call("POST", FW + "/" + fid + "/policyRules", b),
  updateFirewallRule: (fid, rid, b) => call("PATCH", FW + "/" + fid + "/policyRules/" + rid, b),
  deleteFirewallRule: (fid, rid) => call("DELETE", FW + "/" + fid + "/policyRules/" + rid),
};
export const trafficApi = {
  list: (q, next) => call("GET", next ? rel(next) : "/networkAccess/logs/traffic?" + q),
  summary: (from, to, top) => call("GET", "/networkAccess/reports/trafficSummary(startDateTime=" +
    from + ",endDateTime=" + to + ")?$top=" + top),
};

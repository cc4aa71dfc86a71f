// validate.js - the API's rules (system-facts §1.3-1.6, src/model/
// model_validate.c), checked as the user types, with the API's wording.
// The server stays the judge: its message replaces these on a refusal.
export const REGIONS = ["eastUS", "eastUS2", "westUS", "westUS2", "westUS3", "centralUS",
  "northCentralUS", "southCentralUS", "northEurope", "westEurope", "franceCentral",
  "germanyWestCentral", "switzerlandNorth", "ukSouth", "canadaEast", "canadaCentral",
  "southAfricaWest", "southAfricaNorth", "uaeNorth", "australiaEast", "westCentralUS",
  "centralIndia", "southEastAsia", "swedenCentral", "southIndia", "australiaSouthEast",
  "koreaCentral", "polandCentral", "brazilSouth", "japanEast", "japanWest", "koreaSouth",
  "italyNorth", "franceSouth", "israelCentral"];
export const VENDORS = ["barracudaNetworks", "checkPoint", "ciscoMeraki", "citrix", "fortinet",
  "hpeAruba", "netFoundry", "nuage", "openSystems", "paloAltoNetworks", "riverbedTechnology",
  "silverPeak", "vmWareSdWan", "versa", "other"];
export const BANDWIDTHS = ["mbps250", "mbps500", "mbps750", "mbps1000"];
export const IKE_ENC = ["aes128", "aes192", "aes256", "gcmAes128", "gcmAes256"];
export const IKE_INT = ["sha256", "sha384", "gcmAes128", "gcmAes256"];
export const DH = ["dhGroup14", "dhGroup24", "dhGroup2048", "ecp256", "ecp384"];
export const IPSEC_ENC = ["none", "gcmAes128", "gcmAes192", "gcmAes256"];
export const IPSEC_INT = ["gcmAes128", "gcmAes192", "gcmAes256", "sha256"];
export const PFS = ["none", "pfs1", "pfs2", "pfs14", "pfs24", "pfs2048", "pfsmm", "ecp256", "ecp384"];
// §1.6: the only Phase-2 pairs a custom policy may name.
const P2 = { gcmAes128: "gcmAes128", gcmAes192: "gcmAes192", gcmAes256: "gcmAes256", none: "sha256" };
export const GATEWAY_ASN = 65476;
export const PSK_MIN = 8;
// src/model/model.h MODEL_SA_LIFETIME_MIN/MAX: the same range as the API.
export const LIFE_MIN = 300;
export const LIFE_MAX = 172800;
export const PSK_MAX = 256;

function ip4(s) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s || "");
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
}

export function vName(s) {
  if (!s) return "name must not be empty";
  if (!s.trim()) return "name must not be only whitespace";
  if (new TextEncoder().encode(s).length > 256) return "name must be 1 to 256 bytes of UTF-8";
  return null;
}

export function vUnicast(f, s) {
  const a = ip4(s);
  if (a === null) return `${f} '${s}' is not a dotted-quad IPv4 address`;
  const o = a >>> 24;
  if (o === 0) return `${f} '${s}' is not a unicast IPv4 address (0.0.0.0/8 is 'this network')`;
  if (o === 127) return `${f} '${s}' is not a unicast IPv4 address (127.0.0.0/8 is loopback)`;
  if (o >= 224 && o < 240) return `${f} '${s}' is not a unicast IPv4 address (224.0.0.0/4 is multicast)`;
  if (o >= 240) return `${f} '${s}' is not a unicast IPv4 address (240.0.0.0/4 is reserved and holds the broadcast address)`;
  return null;
}

// §1.4
export function vBgpAddr(f, s) {
  const a = ip4(s);
  if (a === null) return `${f} '${s}' is not a dotted-quad IPv4 address`;
  const o = a >>> 24;
  let why = null;
  if (a === 0) why = "0.0.0.0 is unspecified";
  else if (o === 127) why = "127.0.0.0/8 is loopback";
  else if (o >= 224 && o < 240) why = "224.0.0.0/4 is multicast";
  else if (a === 0xffffffff) why = "255.255.255.255 is broadcast";
  return why ? `${f} '${s}' is not allowed as a BGP address (${why})` : null;
}

// §1.3
export function vAsn(s) {
  if (!/^-?\d+$/.test(String(s).trim())) return "bgpConfiguration.asn must be a JSON integer";
  const asn = Number(s);
  if (asn >= 65535 && asn <= 65551) return `asn ${asn} is reserved by IANA; a device ASN is a 2-byte ASN from 1 to 65534`;
  if (asn < 1 || asn > 65534) return `asn ${asn} is out of range: a device ASN is a 2-byte ASN from 1 to 65534`;
  let why = null;
  if (asn === GATEWAY_ASN) why = "reserved: it is the Global Secure Access gateway ASN";
  else if ([8075, 8076, 12076].includes(asn) || (asn >= 65517 && asn <= 65520)) why = "reserved by Azure";
  else if (asn === 23456) why = "reserved by IANA (AS_TRANS, RFC 6793)";
  else if (asn >= 64496 && asn <= 64511) why = "reserved by IANA (documentation, RFC 5398)";
  return why ? `asn ${asn} is ${why}` : null;
}

export function vPsk(key, s) {
  const n = (s || "").length;
  if (/[^\x20-\x7e]/.test(s || "")) return `${key} must be ${PSK_MIN} to ${PSK_MAX} printable characters (some outside printable ASCII 0x20-0x7e)`;
  if (n < PSK_MIN) return `${key} must be ${PSK_MIN} to ${PSK_MAX} printable characters (got ${n}): a shorter key can be guessed offline by anyone who can pose as the gateway to the branch`;
  if (n > PSK_MAX) return `${key} must be ${PSK_MIN} to ${PSK_MAX} printable characters (got ${n})`;
  return null;
}

// §1.6: the pair is judged on ipSecIntegrity, as the API does.
export function vPhase2(enc, int) {
  if (P2[enc] === int) return null;
  return `ipSecEncryption '${enc}' with ipSecIntegrity '${int}' is not an allowed Phase 2 pair (allowed: gcmAes128/gcmAes128, gcmAes192/gcmAes192, gcmAes256/gcmAes256, none/sha256)`;
}

export function vIkePair(enc, int) {
  const need = int === "gcmAes128" ? "gcmAes128" : int === "gcmAes256" ? "gcmAes256" : null;
  if (need && enc !== need) return `ikeIntegrity '${int}' needs ikeEncryption '${need}' (got '${enc}'): GCM uses the same algorithm and key length for both`;
  return null;
}

export function vLifetime(s) {
  if (!/^\d+$/.test(String(s).trim())) return "tunnelConfiguration.saLifeTimeSeconds must be a JSON integer";
  const n = Number(s);
  return n >= LIFE_MIN && n <= LIFE_MAX ? null : `saLifeTimeSeconds ${n} is out of range: it must be ${LIFE_MIN} to ${LIFE_MAX} seconds`;
}

// The link form -> { field path: message } with the API's field paths.
export function validateLink(l, others) {
  const e = {};
  const put = (k, m) => { if (m && !e[k]) e[k] = m; };
  put("name", vName(l.name));
  if (others.some((o) => o.name === l.name)) put("name", `name '${l.name}' is already used by another link of this remote network`);
  put("ipAddress", vUnicast("ipAddress", l.ipAddress));
  put("bgpConfiguration.localIpAddress", vBgpAddr("bgpConfiguration.localIpAddress", l.localIp));
  put("bgpConfiguration.peerIpAddress", vBgpAddr("bgpConfiguration.peerIpAddress", l.peerIp));
  if (!e["bgpConfiguration.peerIpAddress"] && l.localIp === l.peerIp) put("bgpConfiguration.peerIpAddress", "bgpConfiguration.peerIpAddress must differ from bgpConfiguration.localIpAddress");
  put("bgpConfiguration.asn", vAsn(l.asn));
  if (l.redundancy === "zoneRedundancy") {
    const zf = "redundancyConfiguration.zoneLocalIpAddress";
    put(zf, vBgpAddr(zf, l.zoneLocalIp));
    if (!e[zf] && l.zoneLocalIp === l.localIp) put(zf, `${zf} ${l.zoneLocalIp} must differ from bgpConfiguration.localIpAddress`);
    put("tunnelConfiguration.zoneRedundancyPreSharedKey", vPsk("zoneRedundancyPreSharedKey", l.zonePsk));
  }
  put("tunnelConfiguration.preSharedKey", vPsk("preSharedKey", l.psk));
  for (const [k, m] of Object.entries(validatePolicy(l))) put(k, m);
  return e;
}

// The IKE policy fields alone (a link's Edit IKE policy form).
export function validatePolicy(p) {
  const e = {};
  if (p.policy !== "custom") return e;
  const put = (k, m) => { if (m) e[k] = m; };
  put("tunnelConfiguration.ipSecIntegrity", vPhase2(p.ipSecEncryption, p.ipSecIntegrity));
  put("tunnelConfiguration.ikeIntegrity", vIkePair(p.ikeEncryption, p.ikeIntegrity));
  put("tunnelConfiguration.saLifeTimeSeconds", vLifetime(p.saLifeTimeSeconds));
  return e;
}

export const ODATA_DEFAULT = "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Default";
export const ODATA_CUSTOM = "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Custom";

export function linkBody(l) {
  const t = { ...policyBody(l), preSharedKey: l.psk };
  const r = { redundancyTier: l.redundancy };
  if (l.redundancy === "zoneRedundancy") { r.zoneLocalIpAddress = l.zoneLocalIp; t.zoneRedundancyPreSharedKey = l.zonePsk; }
  return { name: l.name, ipAddress: l.ipAddress, deviceVendor: l.deviceVendor,
    bandwidthCapacityInMbps: l.bandwidth,
    bgpConfiguration: { localIpAddress: l.localIp, peerIpAddress: l.peerIp, asn: Number(l.asn) },
    redundancyConfiguration: r, tunnelConfiguration: t };
}

// tunnelConfiguration without keys: a PATCH that omits them keeps them.
export function policyBody(p) {
  const t = { "@odata.type": p.policy === "custom" ? ODATA_CUSTOM : ODATA_DEFAULT };
  if (p.policy === "custom") {
    Object.assign(t, { ikeEncryption: p.ikeEncryption, ikeIntegrity: p.ikeIntegrity, dhGroup: p.dhGroup,
      ipSecEncryption: p.ipSecEncryption, ipSecIntegrity: p.ipSecIntegrity, pfsGroup: p.pfsGroup,
      saLifeTimeSeconds: Number(p.saLifeTimeSeconds) });
  }
  return t;
}

// A stored link's tunnelConfiguration as the form's fields; a default
// policy starts the custom fields at newLink()'s values.
export function policyFromLink(dl) {
  const t = dl.tunnelConfiguration || {}, d = newLink();
  const p = { policy: t["@odata.type"] === ODATA_CUSTOM ? "custom" : "default" };
  for (const k of ["ikeEncryption", "ikeIntegrity", "dhGroup", "ipSecEncryption", "ipSecIntegrity", "pfsGroup", "saLifeTimeSeconds"])
    p[k] = t[k] != null ? String(t[k]) : d[k];
  return p;
}

export function newLink() {
  return { name: "", deviceVendor: "other", ipAddress: "", localIp: "", peerIp: "", asn: "",
    redundancy: "noRedundancy", zoneLocalIp: "", bandwidth: "mbps250", policy: "default",
    ikeEncryption: "aes256", ikeIntegrity: "sha256", dhGroup: "ecp384",
    ipSecEncryption: "gcmAes256", ipSecIntegrity: "gcmAes256", pfsGroup: "none",
    saLifeTimeSeconds: "3600", psk: "", zonePsk: "" };
}

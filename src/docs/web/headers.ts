/**
 * Response headers for everything the docs serve. Pages may load only this server's stylesheet, script and
 * images (and https images a page embeds); no inline script or style, no frames, no plugins, and nobody may
 * frame them. An SVG image opened on its own is a document that could carry script, so it gets a policy that
 * runs none.
 */
import type { OutgoingHttpHeaders } from "node:http";

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** For images and other files from a site's docs folder, SVG included. */
export const ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

const COMMON: OutgoingHttpHeaders = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

export function pageHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": PAGE_CSP,
    "x-frame-options": "DENY",
    ...COMMON,
    ...extra,
  };
}

export function fileHeaders(contentType: string, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { "content-type": contentType, "content-security-policy": ASSET_CSP, ...COMMON, ...extra };
}

export function jsonHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { "content-type": "application/json; charset=utf-8", ...COMMON, ...extra };
}

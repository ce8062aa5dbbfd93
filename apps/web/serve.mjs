#!/usr/bin/env node
// TheSet's reference page, served from apps/web/dist with no dependencies.
//
//   WEB_PORT        port to listen on, 127.0.0.1 only (default 3000)
//   THESET_API_URL  the API the page calls, cross-origin (default http://127.0.0.1:8080);
//                   handed to the page as /config.js
//
// Paths without a file extension answer index.html, so /shows/<slug> can be reloaded or linked.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "dist");
const port = Number(process.env.WEB_PORT ?? 3000);
const host = "127.0.0.1";
const apiUrl = (process.env.THESET_API_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`WEB_PORT must be a port number, got "${process.env.WEB_PORT}"`);
  process.exit(2);
}
let apiOrigin;
try {
  apiOrigin = new URL(apiUrl).origin;
} catch {
  console.error(`THESET_API_URL must be an absolute URL, got "${apiUrl}"`);
  process.exit(2);
}

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

const config = `window.THESET_CONFIG = ${JSON.stringify({ apiUrl })};\n`;

const securityHeaders = {
  // The page talks to its own origin and the API's only (fetch and EventSource alike).
  "Content-Security-Policy":
    `default-src 'self'; connect-src 'self' ${apiOrigin}; img-src 'self' data: https:; ` +
    "style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

async function fileFor(pathname) {
  const decoded = decodeURIComponent(pathname);
  if (decoded.includes("\0")) return null;
  const candidate = normalize(join(root, decoded));
  // Nothing outside dist/, whatever the path says.
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  if (extname(decoded) === "") return join(root, "index.html");
  const info = await stat(candidate).catch(() => null);
  return info?.isFile() ? candidate : null;
}

const server = createServer(async (request, response) => {
  const send = (status, type, body, extra = {}) => {
    response.writeHead(status, { "Content-Type": type, ...securityHeaders, ...extra });
    response.end(request.method === "HEAD" ? undefined : body);
  };
  try {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return send(405, "text/plain; charset=utf-8", "method not allowed\n", { Allow: "GET, HEAD" });
    }
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    if (pathname === "/config.js") {
      return send(200, types[".js"], config, { "Cache-Control": "no-store" });
    }
    const file = await fileFor(pathname);
    if (!file) return send(404, "text/plain; charset=utf-8", "not found\n");
    const body = await readFile(file);
    // index.html must not be cached (it names the bundle); the bundle may be, briefly.
    const cache = file.endsWith("index.html") ? "no-cache" : "public, max-age=60";
    return send(200, types[extname(file)] ?? "application/octet-stream", body, { "Cache-Control": cache });
  } catch (error) {
    if (error instanceof URIError) return send(400, "text/plain; charset=utf-8", "bad path\n");
    console.error(error);
    return send(500, "text/plain; charset=utf-8", "internal error\n");
  }
});

server.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  console.log(`TheSet web page on http://${host}:${actual}/ (API: ${apiUrl})`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // Browsers keep connections open; they would hold close() back.
    server.closeAllConnections();
  });
}

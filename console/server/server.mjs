// The console's own process: serves the built single-page app and forwards /api/<service>/v1/...
// to that service's public HTTP API, same origin, so no service needs CORS. It holds no data and
// decides nothing: the user's bearer token passes through untouched and every answer comes back as is.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const SERVICES = ["identity", "partnership", "billing", "wallet", "notify"];
const FORWARDED_REQUEST_HEADERS = ["authorization", "content-type", "accept", "accept-language", "traceparent"];
const DROPPED_RESPONSE_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "server"]);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};
// Stripe.js would need js.stripe.com; in this build the card form posts nothing to Stripe (see README).
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The upstream base URL of each service, from CONSOLE_<SERVICE>_URL. */
export function upstreamsFrom(env) {
  const found = {};
  for (const name of SERVICES) {
    const url = env[`CONSOLE_${name.toUpperCase()}_URL`];
    if (url) found[name] = url.replace(/\/+$/, "");
  }
  return found;
}

/** Where an /api/ path goes: the service and the path on it, or null when it is not a public route. */
export function route(path, upstreams) {
  const match = /^\/api\/([a-z]+)(\/v1\/.*)$/.exec(path);
  if (!match || !(match[1] in upstreams)) return null;
  // Stripe's webhooks are for Stripe's servers, never for browsers.
  if (match[2].startsWith("/v1/stripe/")) return null;
  return { service: match[1], target: new URL(match[2], upstreams[match[1]] + "/") };
}

function problem(res, status, title, detail) {
  res.writeHead(status, { "content-type": "application/problem+json", ...SECURITY_HEADERS });
  res.end(JSON.stringify({ type: "about:blank", title, status, detail }));
}

function proxy(req, res, target, search) {
  const headers = {};
  for (const name of FORWARDED_REQUEST_HEADERS) if (req.headers[name]) headers[name] = req.headers[name];
  const url = new URL(target);
  url.search = search;
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const upstream = send(url, { method: req.method, headers, timeout: 30_000 }, (answer) => {
    const kept = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!DROPPED_RESPONSE_HEADERS.has(name)) kept[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, kept);
    answer.pipe(res);
  });
  upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
  upstream.on("error", (error) => {
    if (!res.headersSent) problem(res, 502, "Service unreachable", `the service did not answer: ${error.message}`);
    else res.destroy();
  });
  req.pipe(upstream);
}

function serveFile(res, root, path) {
  const safe = normalize(path).replace(/^(\.\.[/\\])+/, "");
  let file = resolve(join(root, safe));
  const isAsset = file.startsWith(root) && existsSync(file) && statSync(file).isFile();
  if (!isAsset) file = join(root, "index.html"); // the app routes every other path itself
  const immutable = isAsset && safe.startsWith("/assets/");
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ...SECURITY_HEADERS,
  });
  createReadStream(file).pipe(res);
}

/** The console's HTTP server (not yet listening). */
export function createConsoleServer({ root, upstreams }) {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://console.invalid");
    if (url.pathname === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok", services: Object.keys(upstreams) }));
      return;
    }
    if (url.pathname.startsWith("/api/")) {
      const found = route(url.pathname, upstreams);
      if (found === null) return problem(res, 404, "Not found", `no public API at ${url.pathname}`);
      return proxy(req, res, found.target, url.search);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return problem(res, 405, "Method not allowed", req.method);
    serveFile(res, root, url.pathname);
  });
}

function main() {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const root = resolve(process.env.CONSOLE_DIST ?? join(here, "..", "dist"));
  if (!existsSync(join(root, "index.html"))) {
    console.error(`console: no build in ${root} (run \`npm run build\`)`);
    process.exit(1);
  }
  const upstreams = upstreamsFrom(process.env);
  const host = process.env.CONSOLE_HOST ?? "127.0.0.1";
  const port = Number(process.env.CONSOLE_PORT ?? 8080);
  const server = createConsoleServer({ root, upstreams });
  server.listen(port, host, () => {
    const address = server.address();
    console.log(JSON.stringify({ event: "console listening", url: `http://${host}:${address.port}`, upstreams }));
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

"use strict";
// A deliberately tiny HTTP service for the platform's app tier: no dependencies, listens on PORT,
// answers /health for the ALB health check, and shuts down gracefully on SIGTERM (ECS sends it,
// then waits stopTimeout seconds before SIGKILL).
const http = require("node:http");

const port = Number(process.env.PORT || 8080);
const started = new Date().toISOString();
let shuttingDown = false;

// A slow endpoint for the graceful-shutdown test only (test/services/hello-shutdown.test.ts): off
// unless HELLO_TEST_ENDPOINTS=1, so a deployed task never holds connections open on request.
const testEndpoints = process.env.HELLO_TEST_ENDPOINTS === "1";

const server = http.createServer((req, res) => {
  const url = new URL(req.url || "/", "http://localhost");
  if (testEndpoints && url.pathname === "/slow") {
    const ms = Math.min(Number(url.searchParams.get("ms") || 500), 10_000);
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ slow: ms }));
    }, ms);
    return;
  }
  if (url.pathname === "/health") {
    // Report unhealthy while draining so the load balancer stops sending new requests.
    res.writeHead(shuttingDown ? 503 : 200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ status: shuttingDown ? "draining" : "ok" }));
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      service: "hello",
      path: url.pathname,
      started,
      // Only whether a database is configured, never its credentials; the service does not
      // connect, so an auto-pausing Aurora Serverless v2 cluster can stay paused.
      database: process.env.DB_HOST ? { host: process.env.DB_HOST, name: process.env.DB_NAME } : null,
    }),
  );
});

// Keep-alive connections from the ALB outlive requests; close idle ones promptly on shutdown.
// On SIGTERM: stop accepting (server.close), let in-flight requests finish, close idle keep-alive
// connections, exit 0 once the last one ends. ECS has already drained the task from the target
// group (deregistrationDelaySeconds) before it sends SIGTERM; SIGKILL follows stopTimeoutSeconds
// later (docs/releases.md, "Graceful shutdown").
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(JSON.stringify({ msg: "shutting down", signal }));
  server.close(() => {
    console.log(JSON.stringify({ msg: "closed" }));
    process.exit(0);
  });
  server.closeIdleConnections();
  // Leave a margin under the task's stopTimeout (30 s by default) before giving up.
  setTimeout(() => process.exit(1), Number(process.env.SHUTDOWN_TIMEOUT_MS || 25_000)).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

server.listen(port, () => console.log(JSON.stringify({ msg: "listening", port: server.address().port })));

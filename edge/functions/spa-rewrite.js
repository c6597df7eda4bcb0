// CloudFront Function (runtime cloudfront-js-2.0), viewer request, on the behaviour that serves
// the single-page app from the assets bucket (platform:edge, docs/edge.md).
//
// A path without a file extension is a client-side route of the SPA (e.g. /app/settings/profile):
// S3 has no such object, so the request is rewritten to the app's index.html under the first path
// segment (/app/index.html); the browser keeps its URL and the SPA's router takes over. Paths with
// an extension (/app/main.3f2a.js, /app/logo.svg) pass through unchanged. The root path maps to
// /index.html.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf("/") + 1);
  if (last.indexOf(".") !== -1) return request;
  var second = uri.indexOf("/", 1);
  var mount = second > 0 ? uri.substring(0, second) : uri === "/" ? "" : uri;
  request.uri = mount + "/index.html";
  return request;
}

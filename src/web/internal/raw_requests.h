// A server fed with bytes instead of a socket: the entry of the HTTP fuzz target
// (fuzz/http_request.cpp), which drives every parser of a request (request line, headers,
// query strings, url-encoded and multipart forms, cookies) through the real routes. Internal
// to web.
#pragma once

#include <string>
#include <string_view>

#include "web/web.h"

namespace rapporteur::web::internal {

// Handles the requests in `bytes` (at most four, as on one keep-alive connection) with
// `server`'s routes and returns the bytes it would have written. `server` need not be bound.
// Not for concurrent use with serve().
std::string serve_bytes(Server& server, std::string_view bytes);

}  // namespace rapporteur::web::internal

#pragma once

// The incident history of the public status page as an Atom 1.0 feed (RFC 4287), served at
// /history.atom and written by the exporters as history.atom.
//
// One entry per incident of the page (open and resolved, the page's 90 days), newest opened
// first; its content is the timeline (every update, newest first) as XHTML. Every text is
// escaped, control characters XML does not allow are dropped and malformed UTF-8 is replaced
// (XmlEscape), so the feed always parses. Ids are stable: the feed's is
// `<status.public_url>/history.atom` (or `urn:steer:status` without a URL), an entry's the
// page's id plus `#incident-<id>`; the feed's <updated> is the newest incident update (the
// Unix epoch when there is none), never the render time, so an unchanged history gives the
// same bytes and ETag.
//
// Thread-safety: a pure function of the model.

#include <string>
#include <string_view>

#include "page_model.h"

namespace steer::status {

std::string AtomFeed(const PageModel& m);

// Text for XML element content or a quoted attribute value: & < > " ' escaped, control
// characters XML 1.0 does not allow dropped, and every byte that does not start a well-formed
// UTF-8 sequence of an allowed character (stray continuation bytes, overlong forms, surrogates,
// U+FFFE, U+FFFF, above U+10FFFF) replaced by U+FFFD.
std::string XmlEscape(std::string_view text);

}  // namespace steer::status

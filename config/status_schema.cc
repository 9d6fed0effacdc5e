// Keys of the `status` section: the public status page and its uptime history.
#include "policy_schema.h"

namespace steer::config {

#define F STEER_FIELD

ObjectSpec<StatusConfig> MakeStatus() {
  ObjectSpec<StatusConfig> s;
  s.info.name = "status";
  s.Add(StringKey<StatusConfig>(
      K("title", "Heading of the public status page.", "Service status", "Example Inc. status"),
      F(StatusConfig, t.title)));
  s.Add(UrlKey<StatusConfig>(
      Url(K("public_url", "Where users reach the page (reported as page.url in the JSON API).", "",
            "https://status.example.com"),
          {"http", "https"}),
      F(StatusConfig, t.public_url), [](const StatusConfig&) {
        return UrlRule{{"http", "https"}, "a public page needs no credential"};
      }));
  s.Add(StringListKey<StatusConfig>(
      K("services", "Services shown on the page, by name (keys of services). Empty: every service.",
        "[]", "[login]"),
      F(StatusConfig, t.services)));
  s.Add(StringListKey<StatusConfig>(
      K("regions",
        "Regions named on the page, by name (keys of regions), with their own status per "
        "service. Empty: no region is named; each service shows one overall status.",
        "[]", "[us-east, eu-west]"),
      F(StatusConfig, t.regions)));
  s.Add(DurationKey<StatusConfig>(
      AtLeast(K("retention",
                "How long uptime history and resolved incidents are kept, whole days "
                "(at least 1d, at most 3650d).",
                "90d", "30d"),
              86400000.0),
      F(StatusConfig, t.retention)));
  s.Add(DurationKey<StatusConfig>(
      AtLeast(K("resolve_after",
                "How long a service must be back on its preferred region and healthy before its "
                "automatic incident resolves (it is `monitoring` meanwhile; trouble before then "
                "goes on in the same incident). Whole seconds, 10s to 7d.",
                "5m", "15m"),
              10000.0),
      F(StatusConfig, t.resolve_after)));
  s.Add(StringKey<StatusConfig>(
      K("export_dir",
        "Directory (absolute path) where steerd keeps a static copy of the page (index.html, "
        "api/v2/*.json, history.atom), checked every 5 s and rewritten file by file, atomically, "
        "when it changes. Empty: none.",
        "", "/var/www/status"),
      F(StatusConfig, t.export_dir)));
  s.Add(StringKey<StatusConfig>(
      K("listen",
        "Address of the public, read-only status listener, host:port (port 0: any free "
        "port, printed by steerd); separate from agent.listen. Empty: no listener.",
        "", "0.0.0.0:8080"),
      F(StatusConfig, t.listen)));
  return s;
}

}  // namespace steer::config

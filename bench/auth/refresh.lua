-- wrk script: refresh-token rotation chains. Run with as many threads as connections (-tN -cN):
-- each thread owns one connection and one chain, starting from its own token of TOKENS (a
-- space-separated list), and presents the refresh token that the previous response returned.
-- A response without one (an error: a chain broken) is counted and the chain stops there.
-- Env: PATH_TO, AUTH_B64, TOKENS, EXTRA (appended to the body, e.g. "&resource=urn:bench:es").
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS") or "", "%S+") do tokens[#tokens + 1] = t end
local next_thread = 1
function setup(thread)
  thread:set("start", tokens[next_thread])
  next_thread = next_thread + 1
end

function init(args)
  token = start
  broken = 0
end

local extra = os.getenv("EXTRA") or ""
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = "Basic " .. os.getenv("AUTH_B64"),
}
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
function delay()
  return delay_ms
end

function request()
  return wrk.format("POST", os.getenv("PATH_TO"), headers,
                    "grant_type=refresh_token&refresh_token=" .. token .. extra)
end

function response(status, hdrs, body)
  local t = string.match(body, '"refresh_token":"([^"]+)"')
  if t then token = t else broken = broken + 1 end
end

-- wrk script: POST BODY to PATH with HTTP Basic AUTH (all from the environment). With
-- DELAY_MS set, each connection pauses between requests to hold a fixed, lower load.
wrk.method = "POST"
wrk.path = os.getenv("PATH_TO")
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("AUTH_B64")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
function delay()
  return delay_ms
end
local non2xx = 0
function response(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

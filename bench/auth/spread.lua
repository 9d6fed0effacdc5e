-- wrk script: each request is the next line of LINES (a file of "path<TAB>body<TAB>basic-b64"
-- lines), round robin, so requests spread over many tenants. The one-tenant case uses the same
-- script with a one-line file, so the script's own cost is the same on both sides.
local lines = {}
for line in io.lines(os.getenv("LINES")) do
  local path, body, auth = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)")
  lines[#lines + 1] = wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = "Basic " .. auth}, body)
end
local i = 0
function init(args)
  i = math.random(#lines) - 1  -- threads start at different tenants
end
function request()
  i = i % #lines + 1
  return lines[i]
end

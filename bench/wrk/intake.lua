-- The intake scenario: every pair of requests files one real dossier.
--
--   1. POST /dossiers/start/<code>/   -> 302 to the draft's edit page
--   2. POST /dossiers/<pk>/edit/      multipart: declaration, a small PDF per
--                                     document, action=submit
--                                     -> 302 to /dossiers/<pk>/submitted/
--
-- Run with as many threads as connections: each thread then has one
-- connection, so its requests alternate strictly and the steps above form a
-- state machine per thread. Each thread logs in as its own citizen (one
-- session per line of BENCH_INTAKE_SESSIONS), so drafts never collide.
-- Environment, set by bench/run.py:
--   BENCH_INTAKE_SESSIONS  file with one session key per line
--   BENCH_INTAKE_BODY      file with the multipart body of step 2
--   BENCH_INTAKE_TYPE      its Content-Type (with the boundary)
--   BENCH_INTAKE_START     path of step 1
--   BENCH_CSRF_COOKIE, BENCH_CSRF_TOKEN   a CSRF cookie and its token

package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
require("report")

local threads = {}
local sessions = nil

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local content = file:read("*a")
  file:close()
  return content
end

function setup(thread)
  if sessions == nil then
    sessions = {}
    for line in read_file(os.getenv("BENCH_INTAKE_SESSIONS")):gmatch("[^\n]+") do
      table.insert(sessions, line)
    end
  end
  local index = #threads + 1
  assert(sessions[index], "more intake threads than sessions")
  thread:set("session", sessions[index])
  table.insert(threads, thread)
end

function init(args)
  body = read_file(os.getenv("BENCH_INTAKE_BODY"))
  start_path = os.getenv("BENCH_INTAKE_START")
  local cookie = "sessionid=" .. session .. "; csrftoken=" .. os.getenv("BENCH_CSRF_COOKIE")
  start_headers = {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = os.getenv("BENCH_CSRF_TOKEN"),
    ["Content-Length"] = "0",
    ["Connection"] = "close",  -- see CONNECTION_HEADER in bench/run.py
  }
  edit_headers = {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = os.getenv("BENCH_CSRF_TOKEN"),
    ["Content-Type"] = os.getenv("BENCH_INTAKE_TYPE"),
    ["Connection"] = "close",
  }
  step = "start"
  edit_path = nil
  submitted = 0
  failed = 0
end

function request()
  if step == "edit" then
    return wrk.format("POST", edit_path, edit_headers, body)
  end
  return wrk.format("POST", start_path, start_headers, "")
end

function response(status, headers, _body)
  local location = headers["Location"] or headers["location"] or ""
  if step == "start" then
    if status == 302 and location:match("/edit/$") then
      edit_path = location
      step = "edit"
    else
      failed = failed + 1
    end
  else
    if status == 302 and location:match("/submitted/$") then
      submitted = submitted + 1
    else
      failed = failed + 1
    end
    step = "start"
  end
end

done = function(summary, latency, requests)
  local total_submitted, total_failed = 0, 0
  for _, thread in ipairs(threads) do
    total_submitted = total_submitted + thread:get("submitted")
    total_failed = total_failed + thread:get("failed")
  end
  local extra = string.format(',"submitted":%d,"failed_steps":%d', total_submitted, total_failed)
  io.write("BENCH_JSON " .. bench_summary_json(summary, latency, extra) .. "\n")
end

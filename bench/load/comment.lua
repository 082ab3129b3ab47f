-- wrk script: posts public comments on one consultation and counts the answers by status,
-- so a flood's 201s and 429s can be told apart (bench/load/run).
-- Usage: wrk -s comment.lua URL -- /v1/consultations/<id>/comments
local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  statuses = {}
end

function request()
  counter = counter + 1
  local body = '{"text":"Commentaire de charge ' .. counter .. ' : les délais devraient être plus longs.","article":null}'
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      total[status] = (total[status] or 0) + n
    end
  end
  for status, n in pairs(total) do
    io.write(string.format("status %d: %d\n", status, n))
  end
end

--[[
  Counts a job among its tenant's pending jobs and returns its rank: 1 + the number of that
  tenant's pending jobs at least as urgent. The producer makes the rank BullMQ's priority
  (src/queue/priority.ts): every tenant's first pending alert of a severity competes in round 1,
  its second in round 2, and so on, so a tenant's backlog cannot hold back another tenant's alerts.

  KEYS[1]      the tenant's pending high-severity jobs: sorted set of job id → epoch ms it joined
  KEYS[2]      … medium (and alerts without a severity)
  KEYS[3]      … low
  KEYS[4]      … informational
  KEYS[5]      the job's BullMQ hash: when it exists, BullMQ keeps that job and ignores this one

  ARGV[1]      job id
  ARGV[2]      the job's severity as the index of its key: 1 (high) to 4 (informational)
  ARGV[3]      BullMQ's prefix of the queue's job hashes (`<prefix>:alerts:`)
  ARGV[4]      grace in ms: a younger member may still be waiting for its job to be added
  ARGV[5]      current time in epoch microseconds, or '' to use Redis TIME (tests inject time)

  Self-healing: a member whose job is gone or finished (its worker died between finishing the job
  and removing the member, or the enqueue failed after this script) would count against its tenant
  forever. So the oldest members past the grace of each key are checked against BullMQ first, a
  few per call, and removed when their job has left.

  Returns the rank (≥ 1). A job already pending keeps its place: a duplicate inflates nothing.
]]

-- @include time
local nowMs = math.floor(nowUs(ARGV[5]) / 1000)
local severity = tonumber(ARGV[2])

-- Bounded work per call; leaked members reach the head of their key as live ones leave.
local PRUNE_PER_KEY = 2
for i = 1, 4 do
  local stale = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', '(' .. (nowMs - tonumber(ARGV[4])), 'LIMIT', 0, PRUNE_PER_KEY)
  for _, member in ipairs(stale) do
    local jobKey = ARGV[3] .. member
    if redis.call('EXISTS', jobKey) == 0 or redis.call('HEXISTS', jobKey, 'finishedOn') == 1 then
      redis.call('ZREM', KEYS[i], member)
    end
  end
end

local ahead = 0
for i = 1, severity do
  ahead = ahead + redis.call('ZCARD', KEYS[i])
end
if redis.call('ZSCORE', KEYS[severity], ARGV[1]) then
  -- Already pending: it counted itself.
  return ahead
end
if redis.call('EXISTS', KEYS[5]) == 0 then
  redis.call('ZADD', KEYS[severity], nowMs, ARGV[1])
end
return ahead + 1

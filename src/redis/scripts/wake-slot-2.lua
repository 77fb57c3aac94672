--[[
  Hands a miss the budget cannot serve a wake-up time: the tenant's starved misses come back one
  budget slot apart, in the order they were starved, instead of all at the limiter's next free moment,
  where only a few could be served and the rest would take a worker's turn only to wait again.

  Slots belong to what is asked (IP and look-back), not to the alert: every alert waiting for the same
  IP wakes at that IP's slot, so a backlog of alerts sharing few IPs waits only for those few calls.
  The cursor is not capped: a backlog of N starved IPs spreads over N slots, the time the budget needs
  for them, and is not woken again and again meanwhile (with a cap, every miss beyond it came back
  each window to be deferred again: a churn that took the worker slots and CPU other tenants needed).

  KEYS[1]      wake cursor: epoch ms of the last slot handed out
  KEYS[2]      scheduled: sorted set of what is asked → its slot in epoch ms

  ARGV[1]      earliest: epoch ms at which the limiter could admit a call
  ARGV[2]      spacing in ms between slots (the tightest window's sustained rate)
  ARGV[3]      what is asked (e.g. `198.51.100.7|720`)
  ARGV[4]      time to keep a slot after it has passed, in ms
  ARGV[5]      current time in epoch microseconds, or '' to use Redis TIME (tests inject time)

  Returns the wake-up time in epoch ms, never before `earliest`.
]]

-- @include time
local nowMs = math.floor(nowUs(ARGV[5]) / 1000)
local earliest = tonumber(ARGV[1])
local keep = tonumber(ARGV[4])

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (nowMs - keep))

local scheduled = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[3]) or '-1')
if scheduled > nowMs then
  -- Already waiting for its slot: join it (later only if the limiter says so, e.g. a cooldown).
  return math.max(scheduled, earliest)
end
if scheduled >= 0 then
  -- Its slot came and the budget still could not serve it: it goes first, at the next free moment,
  -- not to the back of the line. The cursor does not move: its slot was already counted.
  redis.call('ZADD', KEYS[2], earliest, ARGV[3])
  return earliest
end

local cursor = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(earliest, cursor + tonumber(ARGV[2]))
local ttl = string.format('%d', math.max(slot - nowMs, 0) + keep)
redis.call('SET', KEYS[1], string.format('%d', slot), 'PX', ttl)
redis.call('ZADD', KEYS[2], slot, ARGV[3])
redis.call('PEXPIRE', KEYS[2], ttl)
return slot

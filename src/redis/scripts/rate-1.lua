--[[
  Per-caller request rate limit (GCRA: generic cell rate algorithm). One key per caller holds the
  "theoretical arrival time" (TAT): when the caller's budget would be fully restored. A request is
  admitted when TAT - now <= tolerance; admitting it moves TAT one emission interval later.
  With interval = 60 s / rate and tolerance = (rate - 1) * interval, a caller may send `rate`
  requests at once, then one per interval: never more than `rate` in any minute.

  KEYS[1]      the caller's TAT key (epoch microseconds, as an integer string)

  ARGV[1]      emission interval in microseconds
  ARGV[2]      tolerance in microseconds

  Returns { admitted (1|0), microseconds until the next request would be admitted, TAT - now after this request }.
  Time comes from Redis, so every ingress replica shares one clock.
]]

-- @include time
local now = redisTimeUs()
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])

local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then
  tat = now
end

local ahead = tat - now
if ahead > tolerance then
  return { 0, ahead - tolerance, ahead }
end

local newTat = tat + interval
-- PX: the key disappears once the budget is fully restored.
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', math.ceil((newTat - now) / 1000))
return { 1, 0, newTat - now }

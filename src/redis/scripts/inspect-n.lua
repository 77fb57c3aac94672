--[[
  Reads the limiter state for `status` and metrics without changing it.

  The number of keys is 2 + the number of windows (so this file is `-n`): the command is defined
  without numberOfKeys, and callers pass the key count as the first argument.

  KEYS[1]      cooldown key: epoch ms until which no call may start
  KEYS[2]      admitted counter
  KEYS[3..]    one sorted set per window (see acquire-n.lua)

  ARGV[1]      safety margin in microseconds
  ARGV[2]      current time in epoch microseconds, or '' to use Redis TIME
  ARGV[3]      in-flight bound in microseconds (unused here; same arguments as acquire-n.lua)
  ARGV[4..]    pairs per window: max calls, window length in microseconds

  Returns { now in epoch microseconds, cooldown left in microseconds, admitted total,
            calls in flight (admitted, not settled, within their bound),
            then per window: used, microseconds until it has room again (0 when it has room) }
]]

-- @include time
local now = nowUs(ARGV[2])
local safety = tonumber(ARGV[1])

local function int(x)
  return string.format('%d', x)
end

local cooldownUntilMs = tonumber(redis.call('GET', KEYS[1]) or '0')
local cooldown = math.max(0, cooldownUntilMs * 1000 - now)
local admitted = tonumber(redis.call('GET', KEYS[2]) or '0')
-- Every window logs the same calls; in flight means scored in the future.
local inFlight = 0
if #KEYS > 2 then
  inFlight = redis.call('ZCOUNT', KEYS[#KEYS], '(' .. int(now), '+inf')
end

local result = { now, cooldown, admitted, inFlight }
for i = 1, #KEYS - 2 do
  local key = KEYS[i + 2]
  local max = tonumber(ARGV[2 + 2 * i])
  local span = tonumber(ARGV[3 + 2 * i]) + safety
  local live = redis.call('ZRANGEBYSCORE', key, '(' .. int(now - span), '+inf', 'WITHSCORES')
  local used = #live / 2
  local free = 0
  if used >= max then
    free = math.min(tonumber(live[2 * (used - max) + 2]), now) + span - now
  end
  result[#result + 1] = used
  result[#result + 1] = free
end
return result

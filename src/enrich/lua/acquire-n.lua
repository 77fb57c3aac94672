--[[
  Admits one call to the Defender API if every rate window has room, and records it in all of them
  at once; a refused call records nothing.

  Each window is a sliding log: a sorted set whose scores are admission times (epoch microseconds
  from Redis TIME, the one clock every process shares). A call is admitted at `now` only if fewer
  than `max` entries lie in (now - span, now], where span = window + safety margin. So any interval
  of one window's length holds at most `max` admissions, with the margin to spare.

  The number of keys is 2 + the number of windows (so this file is `-n`): the command is defined
  without numberOfKeys, and callers pass the key count as the first argument.

  KEYS[1]      cooldown key: epoch ms until which no call may start (set after a 429)
  KEYS[2]      admitted counter: total admissions; also makes every log member unique
  KEYS[3..]    one sorted set per window, in the same order as the window arguments

  ARGV[1]      safety margin in microseconds, added to every window
  ARGV[2]      current time in epoch microseconds, or '' to use Redis TIME (tests inject time)
  ARGV[3..]    pairs per window: max calls, window length in microseconds

  Returns { admitted (1|0), wait in microseconds until a call could be admitted,
            blocking (0 admitted, -1 cooldown, i = window i), now in epoch microseconds }
]]

local now
if ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local safety = tonumber(ARGV[1])

-- Lua prints large numbers as 1.7e+15; scores and members need every digit.
local function int(x)
  return string.format('%d', x)
end

local wait = 0
local blocking = 0

local cooldownUntilMs = tonumber(redis.call('GET', KEYS[1]) or '0')
if cooldownUntilMs * 1000 > now then
  wait = cooldownUntilMs * 1000 - now
  blocking = -1
end

local windows = #KEYS - 2
for i = 1, windows do
  local key = KEYS[i + 2]
  local max = tonumber(ARGV[1 + 2 * i])
  local span = tonumber(ARGV[2 + 2 * i]) + safety
  -- An entry at time e stops counting once now - span >= e.
  redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - span))
  local count = redis.call('ZCARD', key)
  if count >= max then
    -- The call fits once count - max + 1 entries have left: wait for the (count - max + 1)-th oldest.
    local entry = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    local free = tonumber(entry[2]) + span - now
    if free > wait then
      wait = free
      blocking = i
    end
  end
end

if wait > 0 then
  return { 0, wait, blocking, now }
end

local member = int(now) .. '-' .. redis.call('INCR', KEYS[2])
for i = 1, windows do
  local key = KEYS[i + 2]
  local span = tonumber(ARGV[2 + 2 * i]) + safety
  redis.call('ZADD', key, int(now), member)
  -- The log empties itself one span after its newest entry.
  redis.call('PEXPIRE', key, int(math.ceil(span / 1000) + 1))
end
return { 1, 0, 0, now }

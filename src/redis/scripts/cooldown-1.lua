--[[
  Sets the shared cooldown after a 429: no process starts a call before `now + duration`.
  A later cooldown is never shortened by an earlier one.

  KEYS[1]      cooldown key: epoch ms until which no call may start

  ARGV[1]      cooldown duration in milliseconds (from Retry-After)
  ARGV[2]      current time in epoch microseconds, or '' to use Redis TIME (tests inject time)

  Returns the cooldown's end in epoch ms (the later of the existing and the new one).
]]

-- @include time
local now = nowUs(ARGV[2])

local untilMs = math.ceil(now / 1000) + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= untilMs then
  return current
end
-- The key expires with the cooldown, so a stale value never blocks anything.
redis.call('SET', KEYS[1], string.format('%d', untilMs), 'PX', string.format('%d', untilMs - math.floor(now / 1000)))
return untilMs

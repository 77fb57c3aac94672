--[[
  Admits one call to the Defender API if every rate window has room, and records it in all of them
  at once; a refused call records nothing.

  Each window is a sliding log: a sorted set of calls scored by the time they count at, in epoch
  microseconds of Redis TIME (the one clock every process shares). A call is admitted at `now` only
  if fewer than `max` entries score above now - span, where span = window + safety margin.

  A call reaches Defender some time after its admission (connection set-up, token, a busy host), at
  the latest when its answer comes back. So an admitted call is logged as in flight, scored at
  now + inflight (the latest it can count at), and settle-n.lua lowers the score to the moment the
  answer arrived. Every score is then at or after the call's arrival at Defender, which makes the
  window hold for arrivals, whatever the latency; the margin is left for clock skew. A caller that
  dies mid-call leaves an entry that counts until its in-flight bound, then leaves a span later.

  The number of keys is 2 + the number of windows (so this file is `-n`): the command is defined
  without numberOfKeys, and callers pass the key count as the first argument.

  KEYS[1]      cooldown key: epoch ms until which no call may start (set after a 429)
  KEYS[2]      admitted counter: total admissions; also makes every log member unique
  KEYS[3..]    one sorted set per window, in the same order as the window arguments

  ARGV[1]      safety margin in microseconds, added to every window
  ARGV[2]      current time in epoch microseconds, or '' to use Redis TIME (tests inject time)
  ARGV[3]      in-flight bound in microseconds: the longest a call may take before it is settled
  ARGV[4..]    pairs per window: max calls, window length in microseconds

  Returns { admitted (1|0), wait in microseconds until a call could be admitted,
            blocking (0 admitted, -1 cooldown, i = window i), now in epoch microseconds,
            the log member of an admitted call (for settle-n.lua), or '' }
  The wait is exact when the entry it waits for has settled; for a call still in flight it is the
  earliest possible time (as if the answer came now), so no call is admitted earlier.
]]

-- @include time
-- @include window-log
local now = nowUs(ARGV[2])
local safety = tonumber(ARGV[1])
local inflight = tonumber(ARGV[3])

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
  local max = tonumber(ARGV[2 + 2 * i])
  local span = tonumber(ARGV[3 + 2 * i]) + safety
  local count = liveCount(key, now, span)
  if count >= max then
    -- The call fits once count - max + 1 entries have left: wait for the (count - max + 1)-th oldest.
    local free = untilLeft(key, count - max, now, span)
    if free > wait then
      wait = free
      blocking = i
    end
  end
end

if wait > 0 then
  return { 0, wait, blocking, now, '' }
end

return { 1, 0, 0, now, logAdmission(KEYS[2], 3, now, inflight, safety, 5, 2) }

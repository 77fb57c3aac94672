--[[
  Admits one refresh-ahead call only from budget no real miss wants: nothing is waiting for budget
  (no shared cooldown, no starved miss's wake-up slot due or coming), and after the call every window
  still holds no more than its refresh ceiling. The ceiling is a share of the window and at least one
  call below its max, so a real miss that arrives next finds room at once: a refresh never takes the
  last calls of a window, and never one a waiting miss could have had.

  An admitted refresh is logged exactly as acquire-n.lua logs a call (same sorted sets, same in-flight
  scoring, settled by settle-n.lua), so every window stays exact for real misses and refreshes together.

  The number of keys is 3 + the number of windows (so this file is `-n`).

  KEYS[1]      cooldown key: epoch ms until which no call may start (set after a 429)
  KEYS[2]      admitted counter (as acquire-n.lua)
  KEYS[3]      wake-up slots of starved misses: sorted set of what is asked → slot in epoch ms (wake-slot-2.lua)
  KEYS[4..]    one sorted set per window, in the same order as the window arguments

  ARGV[1]      safety margin in microseconds, added to every window
  ARGV[2]      current time in epoch microseconds, or '' to use Redis TIME (tests inject time)
  ARGV[3]      in-flight bound in microseconds
  ARGV[4]      grace in ms: a wake-up slot passed less than this long ago may still be retrying
  ARGV[5..]    triples per window: max calls, window length in microseconds, refresh ceiling
               (the most calls the window may hold once the refresh is counted; below max)

  Returns { admitted (1|0), why not (0 admitted, -1 cooldown, -2 a miss is waiting, i = window i),
            microseconds until that window is under its ceiling again (0 otherwise),
            now in epoch microseconds, the log member of an admitted call, or '' }
]]

-- @include time
-- @include window-log
local now = nowUs(ARGV[2])
local safety = tonumber(ARGV[1])
local inflight = tonumber(ARGV[3])

if tonumber(redis.call('GET', KEYS[1]) or '0') * 1000 > now then
  return { 0, -1, 0, now, '' }
end
local graceStartMs = math.floor(now / 1000) - tonumber(ARGV[4])
if redis.call('ZCOUNT', KEYS[3], graceStartMs, '+inf') > 0 then
  return { 0, -2, 0, now, '' }
end

local windows = #KEYS - 3
for i = 1, windows do
  local key = KEYS[i + 3]
  local ceiling = tonumber(ARGV[4 + 3 * i])
  local span = tonumber(ARGV[3 + 3 * i]) + safety
  local used = liveCount(key, now, span)
  if used + 1 > ceiling then
    -- Under the ceiling again once used - ceiling + 1 entries have left (never if the ceiling is 0).
    local freeIn = 0
    if ceiling > 0 then
      freeIn = math.max(0, untilLeft(key, used - ceiling, now, span))
    end
    return { 0, i, freeIn, now, '' }
  end
end

return { 1, 0, 0, now, logAdmission(KEYS[2], 4, now, inflight, safety, 6, 3) }

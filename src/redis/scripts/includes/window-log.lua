--[[
  Logging an admitted call in every window, for the scripts that admit one (acquire-n.lua, and
  acquire-spare-n.lua for refreshes), so both write the same logs the same way. Included with

    -- @include window-log

  int(x)                        x as an integer string: Lua prints large numbers as 1.7e+15, and
                                scores and members need every digit
  liveCount(key, now, span)     drops the entries that stopped counting (an entry scored s stops
                                once now - span >= s) and returns how many still count
  untilLeft(key, n, now, span)  microseconds until the n + 1 oldest entries have left (an entry still
                                in flight counts as if its answer came now: the earliest possible time)
  logAdmission(counterKey, firstWindowKey, now, inflight, safety, firstWindowArg, stride)
                                logs the call in every window key from KEYS[firstWindowKey] on, scored
                                in flight (now + inflight), under a member made unique by counterKey;
                                window i's length is ARGV[firstWindowArg + stride * (i - 1)]. Each log
                                empties itself one span after its newest entry stops being in flight.
                                Returns the member (for settle-n.lua).
]]

local function int(x)
  return string.format('%d', x)
end

local function liveCount(key, now, span)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now - span))
  return redis.call('ZCARD', key)
end

local function untilLeft(key, n, now, span)
  local entry = redis.call('ZRANGE', key, n, n, 'WITHSCORES')
  return math.min(tonumber(entry[2]), now) + span - now
end

local function logAdmission(counterKey, firstWindowKey, now, inflight, safety, firstWindowArg, stride)
  local member = int(now) .. '-' .. redis.call('INCR', counterKey)
  for i = firstWindowKey, #KEYS do
    local key = KEYS[i]
    local span = tonumber(ARGV[firstWindowArg + stride * (i - firstWindowKey)]) + safety
    redis.call('ZADD', key, int(now + inflight), member)
    redis.call('PEXPIRE', key, int(math.ceil((inflight + span) / 1000) + 1))
  end
  return member
end

--[[
  Hands a caller the budget cannot serve a wake-up time of its own: the tenant's starved callers come
  back one budget slot apart instead of all at the limiter's next free moment, where only a few of
  them could be served and the rest would take a worker's turn only to wait again.

  KEYS[1]      wake cursor: epoch ms of the last wake-up time handed out

  ARGV[1]      earliest: epoch ms at which the limiter could admit a call
  ARGV[2]      spacing in ms between wake-ups (the tightest window's sustained rate)
  ARGV[3]      the furthest ahead of `earliest` a wake-up is put, in ms
  ARGV[4]      time to keep the cursor after the slot, in ms

  Returns the wake-up time in epoch ms.
]]

local earliest = tonumber(ARGV[1])
local cursor = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(earliest, math.min(cursor + tonumber(ARGV[2]), earliest + tonumber(ARGV[3])))
redis.call('SET', KEYS[1], string.format('%d', slot), 'PX', string.format('%d', slot - earliest + tonumber(ARGV[4])))
return slot

--[[
  Settles an admitted call once its answer (or failure) came back: its log entry in every window
  is re-scored from the in-flight bound down to now, the latest moment it can have reached Defender.
  Never raises a score, so settling late (after the in-flight bound) changes nothing.

  The number of keys is the number of windows (so this file is `-n`): the command is defined
  without numberOfKeys, and callers pass the key count as the first argument.

  KEYS[1..]    one sorted set per window (see acquire-n.lua)

  ARGV[1]      the log member acquire-n.lua returned
  ARGV[2]      current time in epoch microseconds, or '' to use Redis TIME (tests inject time)

  Returns the number of windows whose entry was lowered.
]]

-- @include time
local now = nowUs(ARGV[2])

local settled = 0
for i = 1, #KEYS do
  settled = settled + redis.call('ZADD', KEYS[i], 'XX', 'LT', 'CH', string.format('%d', now), ARGV[1])
end
return settled

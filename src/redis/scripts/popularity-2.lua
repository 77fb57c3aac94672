--[[
  Counts requests for cache keys in a tenant's popularity set, with exponential decay, bounded in size.

  Forward decay: a request at time t adds 2^((t - base) / halfLife) to its member's score, so every
  score is a decayed count expressed at `base`; comparing scores compares decayed counts at any time,
  and nothing has to be rewritten as time passes. Once the weights grow large (REBASE_HALF_LIVES
  half-lives after base) every score is scaled down and base moves to now, in one ZUNIONSTORE: O(n)
  once in that many half-lives. The least popular members are dropped when the set outgrows its bound.

  KEYS[1]      popularity: sorted set of what is asked (`<lookBackHours>|<ip>`) → decayed count at base
  KEYS[2]      base: epoch ms the scores are expressed at

  ARGV[1]      current time in epoch ms (this host's clock, as the cache's freshness)
  ARGV[2]      half-life in ms
  ARGV[3]      most members kept
  ARGV[4..]    what was asked: member, times asked, member, times asked … (a process batches its requests)

  Returns the number of members.
]]

local REBASE_HALF_LIVES = 40
local IDLE_HALF_LIVES = 8
local now = tonumber(ARGV[1])
local halfLife = tonumber(ARGV[2])
local bound = tonumber(ARGV[3])

local base = tonumber(redis.call('GET', KEYS[2]) or '')
if base == nil or (now - base) / halfLife > REBASE_HALF_LIVES then
  if base ~= nil then
    redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[1], 'WEIGHTS', 2 ^ ((base - now) / halfLife))
  end
  base = now
  redis.call('SET', KEYS[2], string.format('%d', base))
end

-- A request older than base (another host's clock behind) still counts, a little less.
local weight = 2 ^ ((now - base) / halfLife)
for i = 4, #ARGV, 2 do
  redis.call('ZINCRBY', KEYS[1], weight * tonumber(ARGV[i + 1]), ARGV[i])
end

local size = redis.call('ZCARD', KEYS[1])
-- Trimmed in steps of an eighth, so the trim does not run on every request of a full set.
if size > bound + math.floor(bound / 8) then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - bound - 1)
  size = bound
end
-- A tenant nobody asks for any more leaves nothing behind: after IDLE_HALF_LIVES, every count is below 2^-IDLE_HALF_LIVES.
local idle = string.format('%d', math.ceil(halfLife * IDLE_HALF_LIVES))
redis.call('PEXPIRE', KEYS[1], idle)
redis.call('PEXPIRE', KEYS[2], idle)
return size

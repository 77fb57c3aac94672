--[[
  The clock, for every script that needs one. A script includes it with a line of its own:

    -- @include time

  and the loader (lua-include.ts) puts this file's code on that very line, its lines joined, so the
  including script keeps its line numbers: an error Redis reports at line L is at line L of the
  script's file (an error inside this code is reported at the @include line). Comments therefore
  stay in this header: one in the code would swallow the rest of the joined line.

  redisTimeUs()     Redis TIME in epoch microseconds: the one clock every process shares
  nowUs(injected)   the injected time when it is not '' (tests inject time), else redisTimeUs()
]]

local function redisTimeUs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function nowUs(injected)
  if injected ~= '' then
    return tonumber(injected)
  end
  return redisTimeUs()
end

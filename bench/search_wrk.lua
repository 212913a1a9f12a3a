-- wrk script: cycles /api/v1/search through 20 ordinary Dutch queries, each with hits in the
-- demo knowledge base (the set the crash report of issue #25 used).
local queries = {
  "q=mensenhandel","q=uitbuiting","q=arbeidsuitbuiting","q=slachtoffers","q=loverboys","q=jeugdzorg",
  "q=seksuele+uitbuiting","q=criminele+uitbuiting","q=minderjarigen","q=aanbevelingen","q=prostitutie",
  "q=sekswerk","q=grensoverschrijdend","q=opvang","q=vervolging","q=daders","q=kinderpornografie",
  "q=arbeidsmigranten","q=huisvesting","q=rapporteur&suggest=1"
}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/api/v1/search?" .. queries[i])
end

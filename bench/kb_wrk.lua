-- wrk script: cycles /api/v1/search through Dutch queries (compounds, diacritics, synonyms,
-- a misspelling, a phrase and a filter), so the server does real search work per request.
local queries = {
  "q=arbeidsuitbuiting", "q=uitbuiting", "q=casu%C3%AFstiek", "q=loverboys", "q=mensenhandel",
  "q=slachtofers", "q=%22uitbuiting+van+arbeid%22", "q=slachtoffers&type=monitor",
  "q=human+trafficking", "q=jeugdzorg", "q=aanbevelingen&sort=date", "q=kinderporno",
}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/api/v1/search?" .. queries[i])
end

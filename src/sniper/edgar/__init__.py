"""EDGAR access: the SEC HTTP client and budget, the detection planner and its sources, the
simulated EDGAR of replay mode and the ticker catalog.

Modules: `accession` (accession numbers, Archives URLs), `atom` (feed parsing, grouping entries into
filings), `budget` (`RequestBudget`: <= 10 requests in any second, SEC's block), `client`
(`SecClient`: fair-access User-Agent, budget, retries, single-shot probes), `sources`
(`AtomSource` incremental and deep feed polling), `prefixes` (accession prefixes' live heads and
predicted next accessions), `probes` (Archives probes, the submissions backstop), `planner`
(`DetectionPlanner`: every source under one budget), `sgml` (submission headers), `replay` (the
recorded crawl's loader), `catalog` (`TickerCatalog` from SEC `company_tickers.json`), `simulated`
(`SimulatedEdgar`: feed, Archives and submissions answered over HTTP semantics on a `Clock`, with
`sim_filings` (recorded days, measured lags) and `sim_pages` (the documents it serves)).
"""

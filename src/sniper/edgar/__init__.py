"""EDGAR access: the SEC HTTP client, the Latest Filings Atom feed, replay and the ticker catalog.

Modules: `accession` (accession numbers, Archives URLs), `atom` (feed parsing, grouping entries into
filings), `client` (`SecClient`: fair-access User-Agent, rate limit, retries), `sources`
(`AtomSource` incremental polling), `replay` (`ReplayFeed` serving a recorded crawl on a `Clock`),
`catalog` (`TickerCatalog` from SEC `company_tickers.json`), `simulated` (`SimulatedEdgar`: feed,
Archives and submissions answered over HTTP semantics on a `Clock`, with `sim_filings` (recorded
days, measured lags) and `sim_pages` (the documents it serves)).
"""

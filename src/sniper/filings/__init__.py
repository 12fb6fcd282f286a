"""Filing pipeline: filing records, 13F information tables, OpenFIGI enrichment, the `/sec` and
`/cusip` and `/form-13f` reference endpoints, and candidate URLs (DESIGN "Filing pipeline")."""

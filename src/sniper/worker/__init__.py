"""Background loops: the leader (EDGAR polling + lifecycle sweeps) and webhook delivery."""

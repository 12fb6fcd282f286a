"""The job runtime (`jobs`), claims with a lease (`claim`) and the leader election (`leader`);
no feature is imported here: features declare their jobs in `tasks.py`, `sniper.app.JOBS` lists
them."""

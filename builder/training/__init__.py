"""Training from the server's side: the job pool that drives the workers, and the runs it leaves."""

"""Trading: the control plane (`control/`: client and system flags, the order gate) and, later,
algorithms and the engine (DESIGN.md "Trading control plane", "Trading algorithms")."""

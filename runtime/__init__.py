"""Shared runtime: configs, command line, run folders, devices, seeding and user-facing errors."""

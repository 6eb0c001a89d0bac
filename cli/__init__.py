"""The cinefile command line."""

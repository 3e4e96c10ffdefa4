"""The student services modules, one file per module."""

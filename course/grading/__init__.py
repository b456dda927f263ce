"""Grading tools: release, autograde in a sandbox, feedback without hidden tests, grade tables."""

"""A CheckList-style behavioural suite for the local validator (Ribeiro et al., ACL 2020).

``python -m tests.checklist`` prints the pass rate of every capability; ``tests/test_checklist.py``
holds each rate to a floor (a ratchet raised as the rules improve).
"""

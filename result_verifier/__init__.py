"""An offline verifier of the portal's results, for anyone: a bank, another agency, a school.

It needs only the files the portal publishes (the trust list, the root
certificate, the status list) and imports nothing of Django, so it can be
copied out of the portal and run alone; the portal itself verifies with the
same code. See README.md in this directory.
"""

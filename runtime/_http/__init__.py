"""How the runtime speaks HTTP: every request to an app, the Hub or a file host goes through here.

* ``_clients``: the httpx clients, built with the two rules below and cheap TLS for http apps;
* ``_deadline`` and ``_deadline_io``: a ``timeout`` is a deadline for a whole operation, kept in a
  context variable and enforced under httpx, in the network backend;
* ``_credentials``: which origin may receive a token, decided again at every redirect hop;
* ``_timeouts``: how long each kind of wait may last;
* ``_failures``: httpx failures and refusing answers, mapped to the runtime's errors;
* ``_json``: JSON from an app, bounded in size and depth.

It imports nothing else of the runtime but its errors.
"""

"""The Hugging Face Hub: Spaces, their tokens, and what ZeroGPU needs.

* ``_spaces``: a URL, a Space id or a Space page becomes the URL of a running app (waiting for a
  Space that builds, starts or sleeps);
* ``_duplicate``: copying a Space to the caller's account;
* ``_auth``: where a token comes from and the header it travels in;
* ``_zerogpu``: forwarding an end user's ``x-ip-token``, recognising quota refusals.

Built on ``_http``; independent of the queue and of files.
"""

"""Gradio's queue protocol: a join, then the session's event stream until the job's last word.

* ``_plan``: where an endpoint's values sit on the wire (``fn_index``, State positions), and what
  changed when the app no longer matches;
* ``_sse``: bytes in, server-sent events out, bounded;
* ``_messages``: the queue's message catalogue, each event parsed into a typed record;
* ``_session``: one session's stream, read by one reader that routes each message to its job;
* ``_diff``: streamed outputs rebuilt from the app's edit lists;
* ``_jobstate``: one job's life as the messages tell it, free of I/O and locks;
* ``_job``: ``Job`` and ``AsyncJob``, the handles a call returns;
* ``_app_errors``: an app's failure report turned into ``AppError``.

Built on ``_http``, the Hub (ZeroGPU quota errors) and the endpoint specs (``_spec``).
"""

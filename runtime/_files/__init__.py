"""Files: what users pass as file arguments, what results hand back, and moving their bytes.

* ``_values``: ``FileInput``, ``FileSource``, ``RemoteFile`` and the FileData marker;
* ``_inputs``: a file argument described before anything is sent (its kind, name, type, size);
* ``_upload``: the file arguments of one call, checked while encoding, then uploaded together;
* ``_multipart``: one upload's request body, framed without I/O and sent again from its start;
* ``_parallel``: the transfers of one call side by side, all ended before a failure is raised;
* ``_download``: the files of one result, as ``RemoteFile``s, downloaded as the client chose;
* ``_fetch``: a streaming GET held to the origin, size and encoding rules;
* ``_names``: file names that are safe to create, whatever the server sent;
* ``_progress``: transfer progress, for a callback or a terminal bar.

Built on ``_http``; independent of the queue and of the Hub.
"""

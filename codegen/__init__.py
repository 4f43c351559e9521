"""The generator: a Gradio app's API schema in, a typed Python module out.

The pipeline is visible in the module names: ``sources`` fetches or reads the raw documents,
``schema`` validates them and defines the snapshot, ``build`` turns a snapshot into the
intermediate ``model`` (names from ``names``, types from ``typemap``), ``render`` writes the module
through the templates, formats it with black and checks that it parses; ``cli`` drives it all.
"""

"""The generator: a Gradio app's API schema in, a typed Python module out.

The pipeline is visible in the module names: ``sources`` fetches or reads the raw schema,
``schema`` validates it, ``build`` turns it into the intermediate ``model``, ``render`` writes the
module through the templates and ``formatting`` formats and checks it; ``cli`` drives it all.
"""

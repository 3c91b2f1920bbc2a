"""What runs the course around the engine: ``checks`` (feedback on exercises), ``grade`` (an
instructor grades a class), ``lab`` (``make lab``) and ``notebooks`` (what every notebook calls).

Nothing in the engine or the pictures imports from here.
"""

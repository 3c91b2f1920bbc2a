"""Pictures: ``drawing`` draws any expression graph, ``plotting`` draws training (matplotlib).

Both sit above the engine and use it; nothing in the engine imports them.
"""

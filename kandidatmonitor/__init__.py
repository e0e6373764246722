"""The composition root: the command line wires the store, the services and the served app.

It sits above ``services`` and ``dashboard`` (both import nothing from here), and holds the
tools that drive a running server from outside (``simulate``)."""

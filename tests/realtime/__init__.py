"""Real-time threads: sockets, resync, processes, browsers."""

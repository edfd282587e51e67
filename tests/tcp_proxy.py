"""A TCP proxy on 127.0.0.1 that can cut the line to its target and put it back (stdlib only).

Point a client (the bot's ``MONGODB_URI``) at :attr:`TcpProxy.port` instead of the server.
:meth:`TcpProxy.cut` closes every open connection and stops listening, so new connections are
refused at once, like a database host that went away; :meth:`TcpProxy.restore` listens again on
the same port. Start it cut (``TcpProxy(..., up=False)``) for a server that is down from the start.

Usage::

    with TcpProxy("127.0.0.1", 27217) as proxy:
        env["MONGODB_URI"] = f"mongodb://127.0.0.1:{proxy.port}/?directConnection=true"
        proxy.cut()
        proxy.restore()
"""

from __future__ import annotations

import os
import random
import socket
import threading

__all__ = ["TcpProxy"]


class TcpProxy:
    """Forward ``127.0.0.1:<port>`` to ``host:port``; see the module docstring."""

    def __init__(self, host: str, port: int, *, up: bool = True) -> None:
        self.target = (host, port)
        self.port = _unused_port_below_the_ephemeral_range()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.connections = 0
        if up:
            self.restore()

    @property
    def up(self) -> bool:
        """True while the proxy listens and forwards."""
        return self._listener is not None

    def restore(self) -> None:
        """Listen (again) and forward new connections."""
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Close every connection and stop listening: the target is unreachable."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._open = self._open, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            _close(sock)

    def close(self) -> None:
        """Cut for good."""
        self.cut()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:  # the listener was closed by cut()
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(server)
                    return
                self._open.update((client, server))
                self.connections += 1
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
            _close(source)
            _close(sink)


def _unused_port_below_the_ephemeral_range() -> int:
    """A free port from 20000-32767, below Linux's ephemeral range (32768-60999).

    While the proxy is cut its port is free; a port from bind(0) is an ephemeral one, which any
    outgoing connection on the machine may take as its source port meanwhile, so that restore()
    fails with "Address already in use" (it did, under load). Ports below the range are handed
    out only on request, so only another proxy could take it, and the draw makes that unlikely.
    """
    draw = random.Random(os.getpid() ^ id(object()))
    for _ in range(200):
        port = draw.randrange(20000, 32768)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32767")


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()

"""Start mongoeco's MongoDB-wire server on 127.0.0.1 for the integration tests.

Usage: python .ci/mongo_server.py PORT [memory|sqlite:PATH]. Prints ``READY <uri>`` when listening;
SIGTERM or SIGINT stops it. Needs Python 3.13 and ``mongoeco[wire]==4.11.0``.
"""

import asyncio
import signal
import sys

from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer


async def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 27017
    kind = sys.argv[2] if len(sys.argv) > 2 else "memory"
    engine = MemoryEngine() if kind == "memory" else SQLiteEngine(kind.split(":", 1)[1])
    server = AsyncMongoEcoProxyServer(engine=engine, host="127.0.0.1", port=port)
    addr = await server.start()
    print(f"READY {addr.uri}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.close()


asyncio.run(main())

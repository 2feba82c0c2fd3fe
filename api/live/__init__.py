"""The live feed of the public app: WebSocket and Server-Sent Events over per-channel, resumable history."""

"""Long-running servers: nginx, node, python."""

"""What the routes share: the open workspace, the security policy, a login rate limiter and
the lock that serialises custody-log writes from this process."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from starlette.requests import Request

from amparo.accounts.policy import Policy
from amparo.store.workspace import Workspace


class RateLimiter:
    """At most `limit` events per key in a sliding window (in memory, per process)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 10_000:  # forget idle keys so memory stays bounded
                for k in [k for k, v in self._events.items() if not v]:
                    del self._events[k]
            return True


@dataclass
class WebContext:
    ws: Workspace
    policy: Policy
    limiter: RateLimiter
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that may append to the custody log: one at a time per process
        (the log's chain allows one writer), and the head file refreshed after commit."""
        with self.write_lock:
            with self.ws.session() as s:
                yield s
            self.ws.after_commit()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.ws.session() as s:
            yield s

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix makes the browser refuse the cookie unless Secure, host-only.
        return "__Host-amparo_session" if self.policy.cookie_secure else "amparo_session"

    @property
    def csrf_cookie(self) -> str:
        return "__Host-amparo_csrf" if self.policy.cookie_secure else "amparo_csrf"


def web(request: Request) -> WebContext:
    ctx = request.app.state.web
    assert isinstance(ctx, WebContext)
    return ctx

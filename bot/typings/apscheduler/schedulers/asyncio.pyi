from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger

class Job:
    id: str

class AsyncIOScheduler:
    running: bool
    def __init__(self, *, timezone: tzinfo | str | None = None) -> None: ...
    def add_job(
        self,
        func: Callable[..., Any],
        trigger: BaseTrigger | None = None,
        *,
        id: str | None = None,
        max_instances: int = 1,
        coalesce: bool = ...,
        next_run_time: datetime | None = ...,
    ) -> Job: ...
    def start(self, paused: bool = False) -> None: ...
    def pause(self) -> None: ...
    def shutdown(self, wait: bool = True) -> None: ...
    def modify_job(self, job_id: str, jobstore: str | None = None, **changes: Any) -> Job: ...

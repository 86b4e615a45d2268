from apscheduler.triggers.base import BaseTrigger, _Zone

class IntervalTrigger(BaseTrigger):
    def __init__(
        self,
        weeks: float = 0,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
        timezone: _Zone = None,
    ) -> None: ...

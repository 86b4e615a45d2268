from apscheduler.triggers.base import BaseTrigger, _Zone

class CronTrigger(BaseTrigger):
    def __init__(
        self,
        year: int | str | None = None,
        month: int | str | None = None,
        day: int | str | None = None,
        week: int | str | None = None,
        day_of_week: int | str | None = None,
        hour: int | str | None = None,
        minute: int | str | None = None,
        second: int | str | None = None,
        timezone: _Zone = None,
    ) -> None: ...
    @classmethod
    def from_crontab(cls, expr: str, timezone: _Zone = None) -> CronTrigger: ...

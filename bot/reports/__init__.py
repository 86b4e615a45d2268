"""Research reports (G-R1): figures from storage histograms and `scoring`, one report model,
rendered as text, JSON, CSV, HTML (with charts) or PDF, and summarised for chat."""

from bot.reports.build import build_report
from bot.reports.model import Report
from bot.reports.scope import ReportError, Selection

__all__ = ["Report", "ReportError", "Selection", "build_report"]

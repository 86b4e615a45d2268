"""Pure figures from score histograms: CVS, NPS, CSAT, CES, margins, pass marks, suppression.

Standard library only. Every function is deterministic and takes histograms
(score -> respondent count) as storage returns them from a GROUP BY.
"""

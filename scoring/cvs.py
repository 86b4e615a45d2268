"""Customer Value Score: the mean of satisfaction, loyalty and recommendation (G-M1).

The wave's CVS is the mean over respondents of each respondent's unrounded mean,
computed from a histogram of per-respondent sums (0..30) so storage can GROUP BY
the sum. Only respondents who answered all three questions belong in it. When every
respondent answered all three, the three questions' histograms give the same mean
(complete_wave_cvs), which a trend over many waves reads far more cheaply.
Rounding each respondent to one decimal first could shift the wave by up to 1/30.
"""

from scoring.stats import Histogram, Summary, check_scale, check_score, summarize

CVS_QUESTIONS = 3
SCALE_LOW = 0
SCALE_HIGH = 10


def respondent_cvs(satisfaction: int, loyalty: int, recommendation: int) -> float:
    """One respondent's CVS on 0-10, rounded to one decimal (8, 9, 10 -> 9.0)."""
    answers = (satisfaction, loyalty, recommendation)
    for answer in answers:
        check_score(answer, SCALE_LOW, SCALE_HIGH)
    # A sum divided by 3 ends in .0, .33… or .66…, so round() never meets a tie.
    return round(sum(answers) / CVS_QUESTIONS, 1)


def wave_cvs(sum_histogram: Histogram) -> Summary:
    """The wave's CVS (mean and sd on 0-10) from a histogram of per-respondent sums."""
    check_scale(sum_histogram, SCALE_LOW * CVS_QUESTIONS, SCALE_HIGH * CVS_QUESTIONS)
    sums = summarize(sum_histogram)
    return Summary(
        n=sums.n,
        mean=None if sums.mean is None else sums.mean / CVS_QUESTIONS,
        sd=None if sums.sd is None else sums.sd / CVS_QUESTIONS,
    )


def complete_wave_cvs(
    satisfaction: Histogram, loyalty: Histogram, recommendation: Histogram, respondents: int
) -> Summary | None:
    """The wave's CVS from the three questions' own histograms, when every one of the
    wave's `respondents` answered all three: the mean of the respondents' means is then
    the mean of the three question means. None when some did not (use wave_cvs on the
    per-respondent sums). sd is None: it needs the sums."""
    parts = [summarize(h) for h in (satisfaction, loyalty, recommendation)]
    if respondents == 0 or any(p.n != respondents for p in parts):
        return None
    for h in (satisfaction, loyalty, recommendation):
        check_scale(h, SCALE_LOW, SCALE_HIGH)
    return Summary(n=respondents, mean=sum(p.mean or 0.0 for p in parts) / CVS_QUESTIONS, sd=None)

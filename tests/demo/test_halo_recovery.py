"""The halo regression (warehouse/halo.py) recovers the halo the generator plants, with honest intervals.

Series come straight from the generator's functions (demo/halo_series.py: Amazon.com gross sales less Amazon
Ads' own attributed sales, Google and Meta spend), so many seeds fit in seconds with no export written.
Planted (demo/amazon.py HALO): Google 0.18, Meta 0.30 USD of Amazon sales per USD of adstocked spend, lag 1,
decay 0.5. The demo set's own estimate from the warehouse is printed by `make demo`.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from demo import DEFAULT_DAYS, DEFAULT_SEED, amazon
from demo.halo_series import HALO_OFF, halo_series
from warehouse import halo

PLANTED = amazon.HALO["coefficients"]
SETTINGS = halo.HaloSettings(lag_days=amazon.HALO["lag_days"], decay=amazon.HALO["decay"])
# Small series for the coverage run: the demo's length and volume, fitted once per seed (no decay profile).
COVERAGE_SEEDS = range(20)


def test_settings_match_what_the_generator_plants():
    """The defaults fit what demo/amazon.py plants, so the demo's printed estimate is comparable."""
    assert (halo.HaloSettings().lag_days, halo.HaloSettings().decay) == (amazon.HALO["lag_days"], amazon.HALO["decay"])
    assert set(PLANTED) == set(halo.PLATFORMS)


def test_adstock_matches_the_generators():
    spend = np.array([10.0, 0.0, 4.0, 0.0, 0.0, 7.0])
    for lag, decay in [(0, 0.0), (1, 0.5), (2, 0.3)]:
        np.testing.assert_allclose(halo.adstock(spend, lag, decay), amazon.adstock(spend, lag, decay))
    # by hand, lag 1 decay 0.5: A(1) = 10, A(2) = 5, A(3) = 2.5 + 4
    np.testing.assert_allclose(halo.adstock(spend, 1, 0.5)[:4], [0.0, 10.0, 5.0, 6.5])


def test_demo_seed_intervals_cover_the_planted_slopes():
    """The demo's seed, length and volume: each planted slope lies inside its 95% interval."""
    result = halo.fit_halo(halo_series(DEFAULT_SEED, DEFAULT_DAYS), SETTINGS)
    fit = result.at_setting
    for platform, planted in PLANTED.items():
        low, high = fit.intervals[platform]
        assert low <= planted <= high, (platform, fit.slopes[platform], (low, high))
    assert fit.n_days == DEFAULT_DAYS
    assert result.at_profile.decay in SETTINGS.decay_grid
    assert result.profile[result.at_profile.decay] == max(result.profile.values())


def test_intervals_cover_each_planted_slope_in_at_least_17_of_20_seeds():
    """Coverage, not luck: a 95% interval should miss about one seed in twenty."""
    covered = dict.fromkeys(PLANTED, 0)
    for seed in COVERAGE_SEEDS:
        fit = halo.fit_at(halo_series(seed, DEFAULT_DAYS), SETTINGS)
        for platform, planted in PLANTED.items():
            low, high = fit.intervals[platform]
            covered[platform] += low <= planted <= high
    assert all(count >= 17 for count in covered.values()), covered


def test_without_the_halo_zero_lies_inside_both_intervals():
    series = halo_series(DEFAULT_SEED, DEFAULT_DAYS, coefficients=HALO_OFF)
    fit = halo.fit_at(series, SETTINGS)
    for platform in halo.PLATFORMS:
        low, high = fit.intervals[platform]
        assert low <= 0.0 <= high, (platform, fit.slopes[platform], (low, high))


def test_a_strong_halo_is_told_apart_from_none():
    """The test above is not vacuous: ten times the planted halo puts zero outside both intervals."""
    strong = {platform: 10 * beta for platform, beta in PLANTED.items()}
    fit = halo.fit_at(halo_series(DEFAULT_SEED, DEFAULT_DAYS, coefficients=strong), SETTINGS)
    for platform in strong:
        low, high = fit.intervals[platform]
        assert low > 0.0, (platform, fit.slopes[platform], (low, high))


def test_without_calendar_controls_the_season_is_credited_to_the_ads():
    """Why the retail-calendar events are controls: spend rises with Black Friday and December, and so does
    demand; without them the no-halo series shows a Meta 'halo' whose interval excludes zero."""
    series = halo_series(DEFAULT_SEED, DEFAULT_DAYS, coefficients=HALO_OFF).sort("date")
    design, names, _ = halo._design(series, SETTINGS.lag_days, SETTINGS.decay)
    import statsmodels.api as sm

    keep = [i for i, name in enumerate(names) if not name.startswith("event_")]
    fitted = sm.OLS(series["amazon_sales"].to_numpy(), design[:, keep]).fit()
    low, _ = fitted.conf_int()[names.index("meta_ads_adstock")]
    assert low > 0.0


def test_a_platform_that_never_spent_is_not_estimable():
    series = halo_series(DEFAULT_SEED, 60).with_columns(meta_ads_spend=pl.lit(0.0))
    with pytest.raises(halo.HaloNotEstimable, match="meta_ads"):
        halo.fit_at(series, SETTINGS)


def test_too_few_days_is_not_estimable():
    with pytest.raises(halo.HaloNotEstimable, match="more days"):
        halo.fit_at(halo_series(DEFAULT_SEED, 10), SETTINGS)


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"COMMERCE_HALO_DECAY": "1.2"}, "decay must be in"),
        ({"COMMERCE_HALO_LAG_DAYS": "-1"}, "LAG_DAYS"),
        ({"COMMERCE_HALO_DECAY_GRID": "0.2,1"}, "decay must be in"),
    ],
)
def test_bad_settings_name_the_variable(environ, message):
    with pytest.raises(ValueError, match=message):
        halo.HaloSettings.from_environ(environ)


def test_settings_from_the_environment():
    settings = halo.HaloSettings.from_environ(
        {"COMMERCE_HALO_LAG_DAYS": "2", "COMMERCE_HALO_DECAY": "0.3", "COMMERCE_HALO_DECAY_GRID": "0.1,0.6"}
    )
    assert (settings.lag_days, settings.decay, settings.decay_grid) == (2, 0.3, (0.1, 0.6))
    assert settings.hac_lags(122) == 4 and halo.HaloSettings(hac_max_lags=9).hac_lags(122) == 9

"""Problems a learner reported, each checked against what Docker 20.10 and the real programs do."""

from __future__ import annotations

import pytest

from simulator.cli import play


@pytest.fixture
def engine(engine):
    engine.registry.import_busybox()
    return engine


def test_a_sleep_longer_than_the_calendar_runs_on(docker, engine):
    # busybox sleep 999999999999 (31,700 years) simply keeps sleeping: the container is Up.
    assert docker("run -d --name long busybox sleep 999999999999").exit == 0
    engine.sleep(3600)
    assert docker("ps --format '{{.Names}} {{.Status}}'").out == "long Up About an hour\n"


@pytest.mark.parametrize("line", ["sleep 99999999999999999999", "sleep -5", "sleep nan", "sleep inf"])
def test_a_scenario_sleep_out_of_range_is_refused(line):
    with pytest.raises(play.ScenarioError, match="sleep needs a number of seconds"):
        play.split(line)
